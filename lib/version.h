/*
 * lib/version.h - the one version string of corral and initctl.
 *
 * The Makefile passes -DCORRAL_VERSION="..." (its CORRAL_VERSION: `git
 * describe --always --dirty` in a git checkout, else "0.1"); a build
 * without it, e.g. the fuzzers, says 0.1.
 */
#ifndef CORRAL_VERSION_H
#define CORRAL_VERSION_H

#ifndef CORRAL_VERSION
#define CORRAL_VERSION "0.1"
#endif

#endif
