# A stand-in for systemd's notify socket in tests: prints each datagram with its arrival time (ms)
# and closes passed fds (that is how systemd-notify's BARRIER=1 learns the message was read).
import socket, sys, time, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('ready', flush=True)
while True:
    msg, fds, flags, addr = socket.recv_fds(s, 4096, 8)
    for fd in fds:
        os.close(fd)
    print('%d %s' % (time.time() * 1000, msg.decode().replace('\n', ' ')), flush=True)
