#!/usr/bin/env python3
"""The cluster's DNS for the real-node suite, as CoreDNS's kubernetes plugin
answers it (A records only, UDP): `<svc>.<ns>.svc.<domain>` gives a
headless Service's ready-or-published endpoint addresses (a ClusterIP
Service's cluster IP), and `<hostname>.<svc>.<ns>.svc.<domain>` the address of
the StatefulSet pod with that hostname. Other names get NXDOMAIN. Endpoints
are read from the apiserver with kubectl every half second.

usage: cluster_dns.py --listen IP[:PORT] --kubeconfig FILE [--domain cluster.local]
"""
import argparse
import json
import socket
import struct
import subprocess
import sys
import threading
import time


class Records:
    def __init__(self):
        self.lock = threading.Lock()
        self.names = {}

    def refresh(self, kubeconfig, domain):
        out = subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "get", "endpoints,services",
                              "--all-namespaces", "-o", "json"], capture_output=True, text=True)
        if out.returncode != 0:
            return
        names = {}
        for item in json.loads(out.stdout).get("items", []):
            md = item["metadata"]
            base = f"{md['name']}.{md['namespace']}.svc.{domain}"
            if item["kind"] == "Service":
                ip = item.get("spec", {}).get("clusterIP", "None")
                if ip and ip != "None":
                    names.setdefault(base, []).append(ip)
                continue
            for subset in item.get("subsets") or []:
                for addr in (subset.get("addresses") or []) + (subset.get("notReadyAddresses") or []):
                    names.setdefault(base, []).append(addr["ip"])
                    if addr.get("hostname"):
                        names.setdefault(f"{addr['hostname']}.{base}", []).append(addr["ip"])
        with self.lock:
            self.names = names

    def lookup(self, name):
        with self.lock:
            return list(dict.fromkeys(self.names.get(name.lower().rstrip("."), [])))


def parse_question(packet):
    labels, i = [], 12
    while True:
        n = packet[i]
        if n == 0:
            i += 1
            break
        if n & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(packet[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    qtype, qclass = struct.unpack("!HH", packet[i:i + 4])
    return ".".join(labels), qtype, qclass, i + 4


def answer(packet, records):
    ident, flags, qd = struct.unpack("!HHH", packet[:6])
    if qd != 1:
        return struct.pack("!HHHHHH", ident, 0x8184, 0, 0, 0, 0)  # NOTIMP
    name, qtype, qclass, end = parse_question(packet)
    question = packet[12:end]
    ips = records.lookup(name)
    rd = flags & 0x0100
    if not ips:
        return struct.pack("!HHHHHH", ident, 0x8403 | rd, 1, 0, 0, 0) + question  # NXDOMAIN
    rrs = b""
    count = 0
    if qtype == 1:  # A
        for ip in ips:
            rrs += struct.pack("!HHHIH", 0xC00C, 1, 1, 5, 4) + socket.inet_aton(ip)
            count += 1
    # Other types of a name that exists: an empty answer (NOERROR).
    return struct.pack("!HHHHHH", ident, 0x8400 | rd, 1, count, 0, 0) + question + rrs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--kubeconfig", required=True)
    ap.add_argument("--domain", default="cluster.local")
    a = ap.parse_args()
    host, _, port = a.listen.partition(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, int(port or 53)))
    records = Records()

    def poll():
        while True:
            records.refresh(a.kubeconfig, a.domain)
            time.sleep(0.5)

    threading.Thread(target=poll, daemon=True).start()
    print(f"cluster-dns: serving on {host}:{port or 53}", file=sys.stderr, flush=True)
    while True:
        packet, peer = sock.recvfrom(1500)
        try:
            sock.sendto(answer(packet, records), peer)
        except (ValueError, IndexError, struct.error):
            pass  # not a query we can read: no answer, as for a lost packet


if __name__ == "__main__":
    main()
