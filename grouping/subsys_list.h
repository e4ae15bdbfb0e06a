/*
 * grouping/subsys_list.h - the subsystems corral knows, as an X-macro.
 *
 * Like the kernel's include/linux/cgroup_subsys.h: including this file with
 * SUBSYS(name, kernel_v1_name) defined expands once per subsystem, so the
 * id enum, the ops table array and the name tables cannot drift apart.
 * The order is the order limits are applied and stats are reported.
 * Adding a subsystem: one line here and one file with its ops table
 * (grouping/NAME.c, defining grp_NAME_subsys).
 */
SUBSYS(cpuset, "cpuset")
SUBSYS(cpuacct, "cpuacct")
SUBSYS(numtasks, "pids")
SUBSYS(memory, "memory")
