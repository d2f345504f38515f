// A real /proc/<pid>/maps: `setarch -R cat /proc/self/maps` on the Linux 6.18 machine the project
// is developed on (2026-12-07), offered by the address-space view as an example process to load.

/** The maps text of `cat` reading its own maps, ASLR off. */
export const SAMPLE_MAPS = `555555554000-555555556000 r--p 00000000 fe:00 260131                     /usr/bin/cat
555555556000-55555555b000 r-xp 00002000 fe:00 260131                     /usr/bin/cat
55555555b000-55555555e000 r--p 00007000 fe:00 260131                     /usr/bin/cat
55555555e000-55555555f000 r--p 00009000 fe:00 260131                     /usr/bin/cat
55555555f000-555555560000 rw-p 0000a000 fe:00 260131                     /usr/bin/cat
555555560000-555555581000 rw-p 00000000 00:00 0                          [heap]
7ffff7d50000-7ffff7d72000 rw-p 00000000 00:00 0
7ffff7d72000-7ffff7dc9000 r--p 00000000 fe:00 329635                     /usr/lib/locale/C.utf8/LC_CTYPE
7ffff7dc9000-7ffff7dca000 r--p 00000000 fe:00 329642                     /usr/lib/locale/C.utf8/LC_NUMERIC
7ffff7dca000-7ffff7dcb000 r--p 00000000 fe:00 329645                     /usr/lib/locale/C.utf8/LC_TIME
7ffff7dcb000-7ffff7dcc000 r--p 00000000 fe:00 329634                     /usr/lib/locale/C.utf8/LC_COLLATE
7ffff7dcc000-7ffff7dcd000 r--p 00000000 fe:00 329640                     /usr/lib/locale/C.utf8/LC_MONETARY
7ffff7dcd000-7ffff7dce000 r--p 00000000 fe:00 329639                     /usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES
7ffff7dce000-7ffff7dcf000 r--p 00000000 fe:00 329643                     /usr/lib/locale/C.utf8/LC_PAPER
7ffff7dcf000-7ffff7dd0000 r--p 00000000 fe:00 329641                     /usr/lib/locale/C.utf8/LC_NAME
7ffff7dd0000-7ffff7dd1000 r--p 00000000 fe:00 329633                     /usr/lib/locale/C.utf8/LC_ADDRESS
7ffff7dd1000-7ffff7dd4000 rw-p 00000000 00:00 0
7ffff7dd4000-7ffff7dfa000 r--p 00000000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6
7ffff7dfa000-7ffff7f50000 r-xp 00026000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6
7ffff7f50000-7ffff7fa3000 r--p 0017c000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6
7ffff7fa3000-7ffff7fa7000 r--p 001cf000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6
7ffff7fa7000-7ffff7fa9000 rw-p 001d3000 fe:00 339380                     /usr/lib/x86_64-linux-gnu/libc.so.6
7ffff7fa9000-7ffff7fb6000 rw-p 00000000 00:00 0
7ffff7fb6000-7ffff7fb7000 r--p 00000000 fe:00 329644                     /usr/lib/locale/C.utf8/LC_TELEPHONE
7ffff7fb7000-7ffff7fb8000 r--p 00000000 fe:00 329637                     /usr/lib/locale/C.utf8/LC_MEASUREMENT
7ffff7fb8000-7ffff7fbf000 r--s 00000000 fe:00 338846                     /usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache
7ffff7fbf000-7ffff7fc0000 r--p 00000000 fe:00 329636                     /usr/lib/locale/C.utf8/LC_IDENTIFICATION
7ffff7fc0000-7ffff7fc2000 rw-p 00000000 00:00 0
7ffff7fc2000-7ffff7fc6000 r--p 00000000 00:00 0                          [vvar]
7ffff7fc6000-7ffff7fc8000 r--p 00000000 00:00 0                          [vvar_vclock]
7ffff7fc8000-7ffff7fca000 r-xp 00000000 00:00 0                          [vdso]
7ffff7fca000-7ffff7fcb000 r--p 00000000 fe:00 338944                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
7ffff7fcb000-7ffff7ff1000 r-xp 00001000 fe:00 338944                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
7ffff7ff1000-7ffff7ffb000 r--p 00027000 fe:00 338944                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
7ffff7ffb000-7ffff7ffd000 r--p 00031000 fe:00 338944                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
7ffff7ffd000-7ffff7fff000 rw-p 00033000 fe:00 338944                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]`;
