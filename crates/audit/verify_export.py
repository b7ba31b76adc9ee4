#!/usr/bin/env python3
"""Verify a Mufakat audit export (JSON Lines from `mufakat audit export`) independently.

Standard library plus the `cryptography` module (for Ed25519). Checks, in order: sequence
numbers 1, 2, 3, ... without gaps; each event's prev_hash equals the previous event's hash (64
zeros for the first); each event's hash equals SHA-256 of its canonical encoding; then each
checkpoint (those in the export, and those you hold yourself, given with --checkpoints): it must
be signed by a key you trust (--public-key) with a valid signature, and its (seq, hash) must be
in the chain. A checkpoint you hold that is beyond the export's end means events were removed.

Without a trusted key, or without any checkpoint signed by it, nothing proves that the chain is
the original one (anyone can compute hashes, and sign with a key of their own): the script then
refuses to say OK.

Usage: python3 verify_export.py EXPORT.jsonl --public-key HEX [--public-key HEX ...] [--checkpoints FILE]
Exit status 0 when everything holds; 1 naming the first bad event; 2 for a wrong invocation;
3 when signatures cannot be checked (the `cryptography` module is missing).
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


def load_ed25519():
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        return Ed25519PublicKey
    except ImportError:
        return None


def signature_valid(key_class, cp):
    msg = "mufakat-checkpoint-v1\n{}\n{}\n{}".format(cp["seq"], cp["hash"], cp["signed_at"]).encode()
    try:
        key_class.from_public_bytes(bytes.fromhex(cp["public_key"])).verify(bytes.fromhex(cp["signature"]), msg)
        return True
    except Exception:
        return False


def options(argv, name):
    out = []
    for i, a in enumerate(argv):
        if a == name and i + 1 < len(argv):
            out.append(argv[i + 1])
    return out


def read_checkpoints(path):
    held = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                raise SystemExit(f"{path} line {lineno}: not JSON ({e})")
            if rec.get("type", "checkpoint") != "checkpoint":
                continue
            held.append(rec)
    return held


def main(argv):
    usage = next(l for l in __doc__.splitlines() if l.startswith("Usage"))
    if len(argv) < 2 or argv[1].startswith("--"):
        print(usage)
        return 2
    trusted = {k.strip().lower() for ks in options(argv, "--public-key") for k in ks.split(",") if k.strip()}
    if not trusted:
        print("REFUSED: give the published public key with --public-key HEX (from `{ auditPublicKey }` "
              "or the regency's published copy); without a trusted key a checkpoint proves nothing")
        print(usage)
        return 2
    key_class = load_ed25519()
    if key_class is None:
        print("CANNOT VERIFY: the signatures need the 'cryptography' module (pip install cryptography)")
        return 3
    held = [cp for path in options(argv, "--checkpoints") for cp in read_checkpoints(path)]
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
    pinned = 0
    for cp in checkpoints + held:
        if cp["public_key"].lower() not in trusted:
            print(f"BROKEN: checkpoint at event {cp['seq']} is signed by a key that is not trusted ({cp['public_key'][:16]}...)")
            return 1
        if not signature_valid(key_class, cp):
            print(f"BROKEN: checkpoint at event {cp['seq']} has an invalid signature")
            return 1
        if cp["seq"] not in hashes:
            print(f"BROKEN: checkpoint at event {cp['seq']} but the chain has only {expected - 1} events (events at the end were removed)")
            return 1
        if hashes[cp["seq"]] != cp["hash"]:
            print(f"BROKEN at event {cp['seq']}: the signed checkpoint's hash does not match the chain")
            return 1
        pinned = max(pinned, cp["seq"])
    if pinned == 0:
        print(f"NOT PROVEN: {expected - 1} events are consistent, but no checkpoint signed by a trusted key covers them")
        return 1
    tail = expected - 1 - pinned
    print(f"OK: {expected - 1} events, {len(checkpoints) + len(held)} checkpoint(s), signatures all valid; "
          f"events up to {pinned} pinned by a trusted signature"
          + (f", the last {tail} not yet covered by a checkpoint" if tail else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
