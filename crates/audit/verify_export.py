#!/usr/bin/env python3
"""Verify a Mufakat audit export (JSON Lines from `mufakat audit export`) independently.

Standard library only. Checks, in order: sequence numbers 1, 2, 3, ... without gaps; each
event's prev_hash equals the previous event's hash (64 zeros for the first); each event's hash
equals SHA-256 of its canonical encoding; each checkpoint's (seq, hash) matches the chain.
Ed25519 signatures are checked too when the `cryptography` module is installed; otherwise the
script says they were not checked.

Usage: python3 verify_export.py EXPORT.jsonl [--public-key HEX]
Exit status 0 when everything holds; 1 naming the first bad event otherwise.
"""
import hashlib
import json
import sys

GENESIS = "0" * 64
FIELDS = ["seq", "at", "actor", "role", "workflow", "workflow_version", "instance_id",
          "transition", "from_state", "to_state", "input", "comment", "prev_hash"]


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(ev):
    body = {k: ev[k] for k in FIELDS}
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def verify_signature(cp):
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None
    msg = "mufakat-checkpoint-v1\n{}\n{}\n{}".format(cp["seq"], cp["hash"], cp["signed_at"]).encode()
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(cp["public_key"])).verify(bytes.fromhex(cp["signature"]), msg)
        return True
    except Exception:
        return False


def main(argv):
    if len(argv) < 2:
        print(next(l for l in __doc__.splitlines() if l.startswith("Usage")))
        return 2
    public_key = None
    if "--public-key" in argv:
        public_key = argv[argv.index("--public-key") + 1].lower()
    hashes = {}
    prev = GENESIS
    expected = 1
    checkpoints = []
    with open(argv[1], encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                kind = rec.get("type")
            except (ValueError, AttributeError) as e:
                print(f"BROKEN at line {lineno}: not a JSON object ({e})")
                return 1
            missing = [k for k in FIELDS + ["hash"] if kind == "event" and k not in rec]
            if missing:
                print(f"BROKEN at line {lineno}: event lacks {', '.join(missing)}")
                return 1
            if kind == "checkpoint":
                checkpoints.append(rec)
                continue
            if kind != "event":
                print(f"line {lineno}: unknown record type {kind!r}")
                return 1
            seq = rec["seq"]
            if seq != expected:
                print(f"BROKEN at event {seq}: expected sequence number {expected} (an event is missing, inserted or out of order)")
                return 1
            if rec["prev_hash"] != prev:
                print(f"BROKEN at event {seq}: prev_hash does not match the previous event's hash")
                return 1
            if event_hash(rec) != rec["hash"]:
                print(f"BROKEN at event {seq}: content does not match its hash (the event was altered)")
                return 1
            hashes[seq] = rec["hash"]
            prev = rec["hash"]
            expected += 1
    signatures = "not checked (install the 'cryptography' module to check them)"
    checked = 0
    for cp in checkpoints:
        if cp["seq"] not in hashes:
            print(f"BROKEN: checkpoint at event {cp['seq']} but the chain has only {expected - 1} events (the tail was removed)")
            return 1
        if hashes[cp["seq"]] != cp["hash"]:
            print(f"BROKEN at event {cp['seq']}: the signed checkpoint's hash does not match the chain")
            return 1
        if public_key and cp["public_key"].lower() != public_key:
            print(f"BROKEN: checkpoint at event {cp['seq']} was signed by another key")
            return 1
        ok = verify_signature(cp)
        if ok is False:
            print(f"BROKEN: checkpoint at event {cp['seq']} has an invalid signature")
            return 1
        if ok:
            checked += 1
    if checkpoints and checked == len(checkpoints):
        signatures = "all valid"
    print(f"OK: {expected - 1} events, {len(checkpoints)} checkpoint(s); signatures {signatures}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
