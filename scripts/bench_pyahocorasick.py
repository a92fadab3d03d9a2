"""The pyahocorasick side of scripts/bench-nlp.sh: build, persist (pickle),
load and leftmost-longest matching on the same aliases and text as ours.

Run with Debian's python3 (python3-ahocorasick). Prints one JSON line.
Aliases and text are lower-cased (pyahocorasick does no normalisation of
its own); matches are not restricted to word boundaries, as in the
Python stacks we replace.
"""
import json
import pickle
import sys
import time

import ahocorasick


def main(aliases_path, text_path, pickle_path):
    t0 = time.perf_counter()
    a = ahocorasick.Automaton()
    n = 0
    with open(aliases_path, encoding="utf-8") as f:
        for line in f:
            alias, entity, etype, atype = line.rstrip("\n").split("\t")
            key = alias.lower()
            a.add_word(key, (key, int(entity), etype, atype))
            n += 1
    a.make_automaton()
    build = time.perf_counter() - t0

    t0 = time.perf_counter()
    with open(pickle_path, "wb") as f:
        pickle.dump(a, f, protocol=pickle.HIGHEST_PROTOCOL)
    dump = time.perf_counter() - t0
    del a
    t0 = time.perf_counter()
    with open(pickle_path, "rb") as f:
        a = pickle.load(f)
    load = time.perf_counter() - t0

    with open(text_path, encoding="utf-8") as f:
        text = f.read().lower()
    t0 = time.perf_counter()
    mentions = sum(1 for _ in a.iter_long(text))
    match = time.perf_counter() - t0
    size = len(text.encode("utf-8"))
    print(json.dumps({"aliases": n, "buildSeconds": build, "pickleDumpSeconds": dump,
                      "pickleLoadSeconds": load, "matchSeconds": match,
                      "mbPerSecond": size / 1e6 / match, "mentions": mentions}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
