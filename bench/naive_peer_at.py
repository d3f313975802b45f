#!/usr/bin/python3
"""The naive peer (../shared/peers/naive_unspin.py) at another change threshold.

The peer takes a neighbour when it beats the written word by more than TAU
(natural log; 4.0 by default), with no option to change it. To compare
restoration at the same false-change budget, this runs the peer's own main()
with its threshold's default replaced: `naive_peer_at.py TAU check --json
--lines FILE` speaks the same contract. Run with Debian's /usr/bin/python3
(the peer needs python3-sphinxbase).
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "../../shared/peers"))
tau = float(sys.argv.pop(1))
import naive_unspin  # noqa: E402  (after the path is set)

naive_unspin.check.__defaults__ = (tau,)
naive_unspin.main()
