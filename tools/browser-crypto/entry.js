// The only parts of @noble that the secret-poll booth uses: the ristretto255 group and SHA-2.
// build.sh bundles this file into one script that sets globalThis.CouncilsNoble.
import { ristretto255 } from "@noble/curves/ed25519.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";

globalThis.CouncilsNoble = Object.freeze({
  RistrettoPoint: ristretto255.Point,
  sha256,
  sha512,
});
