/*
 * grouping/subsys_list.h - the subsystems corral knows, as an X-macro.
 *
 * Like the kernel's include/linux/cgroup_subsys.h: including this file with
 * SUBSYS(name) defined expands once per subsystem, so the id enum, the ops
 * table array and the name table cannot drift apart.  The order is the order
 * limits are applied and stats are printed.
 */
SUBSYS(cpuset)
SUBSYS(cpuacct)
SUBSYS(numtasks)
