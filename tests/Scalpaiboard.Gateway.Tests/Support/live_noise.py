# usage: python3 live_noise.py PORT [PASSWORD|-] MESSAGES_PER_BURST BURSTS_PER_SECOND
# Publishes bursts of candle/metrics-like frames on live:candles:* / live:metrics:* (channels no benchmark client
# subscribes to), the way Ingest does at a fast replay: the Gateway's live:* subscription receives and drops them.
import socket, sys, time
port, password, per_burst, per_second = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
def cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
if password != "-":
    s.sendall(cmd("AUTH", password))
s.setblocking(False)
payload = b'{"type":"candles","channel":"candles:SYM:1m","ts":0,"data":{' + b'"x":1.2345,' * 40 + b'"openTime":0}}'
burst = b"".join(cmd("PUBLISH", "live:%s:SYM%dUSDT:1m" % ("candles" if i % 2 else "metrics", i % 50), payload) for i in range(per_burst))
next_at = time.monotonic()
while True:
    s.setblocking(True); s.sendall(burst); s.setblocking(False)
    try:
        while s.recv(65536): pass
    except BlockingIOError:
        pass
    next_at += 1 / per_second
    time.sleep(max(0, next_at - time.monotonic()))
