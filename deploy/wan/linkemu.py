#!/usr/bin/env python3
"""A WAN link emulator for network namespaces: a user-space Ethernet switch over TAP devices
that delays each frame by the one-way latency between its two hosts and paces it at each
host's link rate.

It stands in for `tc netem` on kernels built without it (CONFIG_NET_SCH_NETEM); the real
kernel TCP stacks of the namespaces see real round trips, slow start, queueing and loss.

    linkemu.py CONFIG.json READY_FILE

CONFIG: {"hosts": [{"name": "origin", "netns": "sbw-origin", "ip": "10.77.0.1/24",
                    "rate_mbit": 1000}, ...],
         "delay_ms": {"origin/us-east": 1, "origin/eu-west": 35, ...},   # one way, symmetric
         "queue_ms": 200}                                               # tail drop beyond this
A pair missing from delay_ms has no delay. READY_FILE is written once the links are up.
"""
import fcntl
import heapq
import json
import os
import select
import signal
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ARRIVE, DELIVER = 0, 1      # a frame reaches the receiver's link; it is handed to the receiver


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def sh(*args):
    subprocess.run(list(args), check=True)


class Link:
    """One direction of a host's access link: frames cross it one after another at its rate;
    beyond `queue` seconds of backlog a frame is dropped (tail drop, as a router's queue)."""

    def __init__(self, rate_mbit, queue):
        self.seconds_per_bit = 1.0 / (float(rate_mbit) * 1e6)
        self.queue = queue
        self.free_at = 0.0

    def cross(self, at, size):
        """When a frame of `size` bytes handed over at `at` has crossed, or None if dropped."""
        start = max(at, self.free_at)
        if start - at > self.queue:
            return None
        self.free_at = start + size * 8 * self.seconds_per_bit
        return self.free_at


class Port:
    def __init__(self, index, host, queue):
        self.index = index
        self.name = host["name"]
        self.device = "sbw%d" % index
        self.fd = open_tap(self.device)
        # The device moves into the host's namespace; this process keeps its end.
        sh("ip", "link", "set", self.device, "netns", host["netns"])
        sh("ip", "-n", host["netns"], "addr", "add", host["ip"], "dev", self.device)
        sh("ip", "-n", host["netns"], "link", "set", self.device, "mtu", "1500", "up")
        sh("ip", "-n", host["netns"], "link", "set", "lo", "up")
        rate = host.get("rate_mbit", 1000)
        self.up = Link(rate, queue)      # from this host
        self.down = Link(rate, queue)    # to this host


def main():
    config = json.load(open(sys.argv[1]))
    ready_file = sys.argv[2]
    queue = config.get("queue_ms", 200) / 1000.0
    ports = [Port(i, host, queue) for i, host in enumerate(config["hosts"])]
    by_fd = {port.fd: port for port in ports}
    delay = {}
    for pair, ms in config.get("delay_ms", {}).items():
        a, b = pair.split("/")
        delay[(a, b)] = delay[(b, a)] = ms / 1000.0
    where = {}          # MAC → port that sent from it
    pending = []        # (when, sequence, ARRIVE or DELIVER, port, frame)
    sequence = 0
    dropped = 0
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))

    poller = select.epoll()
    for port in ports:
        poller.register(port.fd, select.EPOLLIN)
    open(ready_file, "w").write("ready\n")

    def schedule(at, stage, target, frame):
        nonlocal sequence, dropped
        if at is None:
            dropped += 1
            return
        sequence += 1
        heapq.heappush(pending, (at, sequence, stage, target, frame))

    def forward(source, target, frame, now):
        """The sender's link paces the frame, then it travels for the pair's delay; the
        receiver's link is reached (and paces it again) in the order frames arrive there."""
        sent = source.up.cross(now, len(frame))
        schedule(None if sent is None else sent + delay.get((source.name, target.name), 0.0), ARRIVE, target, frame)

    def arrived(target, frame, at):
        schedule(target.down.cross(at, len(frame)), DELIVER, target, frame)

    while not stopping:
        now = time.monotonic()
        timeout = max(0.0, pending[0][0] - now) if pending else 0.5
        try:
            events = poller.poll(min(timeout, 0.5))
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd, _ in events:
            source = by_fd[fd]
            while True:
                try:
                    frame = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if len(frame) < 14:
                    continue
                destination, origin = frame[0:6], frame[6:12]
                where[origin] = source
                target = where.get(destination)
                if destination[0] & 1 or target is None:
                    for other in ports:          # broadcast, multicast, unknown: every other port
                        if other is not source:
                            forward(source, other, frame, now)
                elif target is not source:
                    forward(source, target, frame, now)
        while pending and pending[0][0] <= now:
            at, _, stage, target, frame = heapq.heappop(pending)
            if stage == ARRIVE:
                arrived(target, frame, at)
                continue
            try:
                os.write(target.fd, frame)
            except (BlockingIOError, OSError):
                dropped += 1
    print("linkemu: stopped (%d frames dropped)" % dropped, file=sys.stderr)


if __name__ == "__main__":
    main()
