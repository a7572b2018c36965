"""Secret polls' cryptography: ristretto255 ElGamal, proofs, trustees and the bulletin board.

No Django here: the package is usable on its own (``councils verify-poll`` and
``councils trustee`` are thin commands over it). ``docs/secret-polls.md`` gives every byte format
and every hash input; ``web/static/web/booth-crypto.js`` encrypts exactly as ``ballot.py`` does.
"""
