/* A verifier's fast path for ristretto255 (RFC 9496): multi-scalar multiplication in C.
 *
 * A secret cast, and `councils verify-poll` for every ballot of a board, recompute the
 * commitments of each range proof's branches: `A = s*G - c*alpha` and `B = s*Y - c*(beta - v*G)`
 * (Y the election key). libsodium (through `rbcl`) offers one scalar multiplication per call and
 * decodes and re-encodes the point each time. Here, per call of range_commitments:
 *
 * - G and Y are fixed bases: their odd multiples up to 127 (a window of 8), of P and of 2^128 P,
 *   are kept as affine points (G's built at import, each key's on first use, a few keys kept);
 * - alpha and beta are decoded once and doubled 128 times once, so that each commitment, one
 *   interleaved (Straus) multiplication over both halves of its scalars, needs 128 doublings
 *   rather than 253; beta - v*G (and its upper half) comes from G's tables with a few additions;
 * - the scalars are halved modulo L and all the halved commitments are encoded doubled with one
 *   field inversion for all (curve25519-dalek's batch encoding), not one inverse square root each.
 *
 * Everything here runs in variable time: it is for public values only (proofs, ciphertexts,
 * keys), never for a secret; a prover goes through libsodium. The points it returns are compared
 * with libsodium's, byte for byte, in tests/voting/crypto/test_ristretto_c.py; `group.py` falls
 * back to libsodium when this module is not built (setup.py builds it where a C compiler exists)
 * or is older than API_VERSION.
 *
 * Field elements are five 51-bit limbs (as libsodium's fe51); the point formulas, the
 * representations (p2, p3, p1p1, cached, precomp), the inversion chain and `slide` are ref10's
 * (as in libsodium); the batch encoding follows curve25519-dalek's double_and_compress_batch.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef unsigned __int128 u128;
typedef uint64_t fe[5];

#define MASK51 0x7ffffffffffffULL

static const fe FE_D2 = {0x69b9426b2f159ULL, 0x35050762add7aULL, 0x3cf44c0038052ULL, 0x6738cc7407977ULL,
                         0x2406d9dc56dffULL};
static const fe FE_D = {0x34dca135978a3ULL, 0x1a8283b156ebdULL, 0x5e7a26001c029ULL, 0x739c663a03cbbULL,
                        0x52036cee2b6ffULL};
static const fe FE_SQRT_M1 = {0x61b274a0ea0b0ULL, 0xd5a5fc8f189dULL, 0x7ef5e9cbd0c60ULL,
                              0x78595a6804c9eULL, 0x2b8324804fc1dULL};
static const fe FE_INVSQRT_A_MINUS_D = {0xfdaa805d40eaULL, 0x2eb482e57d339ULL, 0x7610274bc58ULL,
                                        0x6510b613dc8ffULL, 0x786c8905cfaffULL};

/* --- The field GF(2^255 - 19) ------------------------------------------------------------ */

static inline void fe_copy(fe h, const fe f) { memcpy(h, f, sizeof(fe)); }
static inline void fe_0(fe h) { memset(h, 0, sizeof(fe)); }
static inline void fe_1(fe h) { fe_0(h); h[0] = 1; }

static inline void fe_add(fe h, const fe f, const fe g)
{
    for (int i = 0; i < 5; i++) h[i] = f[i] + g[i];
}

/* h = f - g, computed as f + 2p - g after carrying g (f's limbs below 2^63 - 2^52). */
static inline void fe_sub(fe h, const fe f, const fe g)
{
    uint64_t g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4];
    g1 += g0 >> 51; g0 &= MASK51;
    g2 += g1 >> 51; g1 &= MASK51;
    g3 += g2 >> 51; g2 &= MASK51;
    g4 += g3 >> 51; g3 &= MASK51;
    g0 += 19ULL * (g4 >> 51); g4 &= MASK51;
    h[0] = (f[0] + 0xfffffffffffdaULL) - g0;
    h[1] = (f[1] + 0xffffffffffffeULL) - g1;
    h[2] = (f[2] + 0xffffffffffffeULL) - g2;
    h[3] = (f[3] + 0xffffffffffffeULL) - g3;
    h[4] = (f[4] + 0xffffffffffffeULL) - g4;
}

static inline void fe_neg(fe h, const fe f)
{
    fe zero;
    fe_0(zero);
    fe_sub(h, zero, f);
}

static void fe_mul(fe h, const fe f, const fe g)
{
    u128 r0, r1, r2, r3, r4, carry;
    uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
    uint64_t g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4];
    uint64_t f1_19 = 19ULL * f1, f2_19 = 19ULL * f2, f3_19 = 19ULL * f3, f4_19 = 19ULL * f4;
    uint64_t r00, r01, r02, r03, r04;

    r0 = (u128)f0 * g0 + (u128)f1_19 * g4 + (u128)f2_19 * g3 + (u128)f3_19 * g2 + (u128)f4_19 * g1;
    r1 = (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2_19 * g4 + (u128)f3_19 * g3 + (u128)f4_19 * g2;
    r2 = (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3_19 * g4 + (u128)f4_19 * g3;
    r3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 + (u128)f4_19 * g4;
    r4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 + (u128)f4 * g0;

    r00 = (uint64_t)r0 & MASK51; carry = r0 >> 51;
    r1 += carry; r01 = (uint64_t)r1 & MASK51; carry = r1 >> 51;
    r2 += carry; r02 = (uint64_t)r2 & MASK51; carry = r2 >> 51;
    r3 += carry; r03 = (uint64_t)r3 & MASK51; carry = r3 >> 51;
    r4 += carry; r04 = (uint64_t)r4 & MASK51; carry = r4 >> 51;
    r00 += 19ULL * (uint64_t)carry;
    r01 += r00 >> 51; r00 &= MASK51;
    r02 += r01 >> 51; r01 &= MASK51;
    h[0] = r00; h[1] = r01; h[2] = r02; h[3] = r03; h[4] = r04;
}

static void fe_sq(fe h, const fe f)
{
    u128 r0, r1, r2, r3, r4, carry;
    uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
    uint64_t f0_2 = f0 << 1, f1_2 = f1 << 1;
    uint64_t f1_38 = 38ULL * f1, f2_38 = 38ULL * f2, f3_38 = 38ULL * f3;
    uint64_t f3_19 = 19ULL * f3, f4_19 = 19ULL * f4;
    uint64_t r00, r01, r02, r03, r04;

    r0 = (u128)f0 * f0 + (u128)f1_38 * f4 + (u128)f2_38 * f3;
    r1 = (u128)f0_2 * f1 + (u128)f2_38 * f4 + (u128)f3_19 * f3;
    r2 = (u128)f0_2 * f2 + (u128)f1 * f1 + (u128)f3_38 * f4;
    r3 = (u128)f0_2 * f3 + (u128)f1_2 * f2 + (u128)f4_19 * f4;
    r4 = (u128)f0_2 * f4 + (u128)f1_2 * f3 + (u128)f2 * f2;

    r00 = (uint64_t)r0 & MASK51; carry = r0 >> 51;
    r1 += carry; r01 = (uint64_t)r1 & MASK51; carry = r1 >> 51;
    r2 += carry; r02 = (uint64_t)r2 & MASK51; carry = r2 >> 51;
    r3 += carry; r03 = (uint64_t)r3 & MASK51; carry = r3 >> 51;
    r4 += carry; r04 = (uint64_t)r4 & MASK51; carry = r4 >> 51;
    r00 += 19ULL * (uint64_t)carry;
    r01 += r00 >> 51; r00 &= MASK51;
    r02 += r01 >> 51; r01 &= MASK51;
    h[0] = r00; h[1] = r01; h[2] = r02; h[3] = r03; h[4] = r04;
}

static void fe_frombytes(fe h, const unsigned char *s)
{
    uint64_t w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = 0;
        for (int j = 7; j >= 0; j--) w[i] = (w[i] << 8) | s[8 * i + j];
    }
    h[0] = w[0] & MASK51;
    h[1] = ((w[0] >> 51) | (w[1] << 13)) & MASK51;
    h[2] = ((w[1] >> 38) | (w[2] << 26)) & MASK51;
    h[3] = ((w[2] >> 25) | (w[3] << 39)) & MASK51;
    h[4] = (w[3] >> 12) & MASK51;
}

/* The canonical 32 bytes of f (fully reduced modulo p). */
static void fe_tobytes(unsigned char *s, const fe f)
{
    uint64_t t[5], c;
    memcpy(t, f, sizeof(t));
    for (int round = 0; round < 2; round++) {
        t[1] += t[0] >> 51; t[0] &= MASK51;
        t[2] += t[1] >> 51; t[1] &= MASK51;
        t[3] += t[2] >> 51; t[2] &= MASK51;
        t[4] += t[3] >> 51; t[3] &= MASK51;
        t[0] += 19ULL * (t[4] >> 51); t[4] &= MASK51;
    }
    /* Now t < 2^255 (limbs carried); t >= p exactly when t + 19 reaches 2^255. */
    c = (t[0] + 19) >> 51;
    c = (t[1] + c) >> 51;
    c = (t[2] + c) >> 51;
    c = (t[3] + c) >> 51;
    c = (t[4] + c) >> 51;
    t[0] += 19ULL * c;
    t[1] += t[0] >> 51; t[0] &= MASK51;
    t[2] += t[1] >> 51; t[1] &= MASK51;
    t[3] += t[2] >> 51; t[2] &= MASK51;
    t[4] += t[3] >> 51; t[3] &= MASK51;
    t[4] &= MASK51;
    uint64_t w[4] = {t[0] | (t[1] << 51), (t[1] >> 13) | (t[2] << 38), (t[2] >> 26) | (t[3] << 25),
                     (t[3] >> 39) | (t[4] << 12)};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) s[8 * i + j] = (unsigned char)(w[i] >> (8 * j));
}

static int fe_isnegative(const fe f)
{
    unsigned char s[32];
    fe_tobytes(s, f);
    return s[0] & 1;
}

static int fe_iszero(const fe f)
{
    unsigned char s[32], acc = 0;
    fe_tobytes(s, f);
    for (int i = 0; i < 32; i++) acc |= s[i];
    return acc == 0;
}

static int fe_equal(const fe f, const fe g)
{
    fe d;
    fe_sub(d, f, g);
    return fe_iszero(d);
}

static inline void fe_abs(fe h, const fe f)
{
    if (fe_isnegative(f))
        fe_neg(h, f);
    else
        fe_copy(h, f);
}

static void fe_sqn(fe h, const fe f, int n)
{
    fe_sq(h, f);
    for (int i = 1; i < n; i++) fe_sq(h, h);
}

/* z^((p-5)/8) = z^(2^252 - 3), ref10's addition chain. */
static void fe_pow22523(fe out, const fe z)
{
    fe t0, t1, t2;
    fe_sq(t0, z);
    fe_sqn(t1, t0, 2);
    fe_mul(t1, z, t1);
    fe_mul(t0, t0, t1);
    fe_sq(t0, t0);
    fe_mul(t0, t1, t0);
    fe_sqn(t1, t0, 5);
    fe_mul(t0, t1, t0);
    fe_sqn(t1, t0, 10);
    fe_mul(t1, t1, t0);
    fe_sqn(t2, t1, 20);
    fe_mul(t1, t2, t1);
    fe_sqn(t1, t1, 10);
    fe_mul(t0, t1, t0);
    fe_sqn(t1, t0, 50);
    fe_mul(t1, t1, t0);
    fe_sqn(t2, t1, 100);
    fe_mul(t1, t2, t1);
    fe_sqn(t1, t1, 50);
    fe_mul(t0, t1, t0);
    fe_sqn(t0, t0, 2);
    fe_mul(out, t0, z);
}

/* RFC 9496's SQRT_RATIO_M1(u, v): returns whether u/v is a square; r = |sqrt(u/v)| (or of i*u/v). */
static int fe_sqrt_ratio_m1(fe r, const fe u, const fe v)
{
    fe v3, v7, t, check, neg_u, neg_u_i, r_prime;
    fe_sq(v3, v);
    fe_mul(v3, v3, v);        /* v^3 */
    fe_sq(v7, v3);
    fe_mul(v7, v7, v);        /* v^7 */
    fe_mul(t, u, v7);
    fe_pow22523(t, t);        /* (u v^7)^((p-5)/8) */
    fe_mul(t, t, v3);
    fe_mul(r, t, u);          /* u v^3 (u v^7)^((p-5)/8) */
    fe_sq(check, r);
    fe_mul(check, check, v);
    fe_neg(neg_u, u);
    fe_mul(neg_u_i, neg_u, FE_SQRT_M1);
    int correct = fe_equal(check, u);
    int flipped = fe_equal(check, neg_u);
    int flipped_i = fe_equal(check, neg_u_i);
    if (flipped || flipped_i) {
        fe_mul(r_prime, r, FE_SQRT_M1);
        fe_copy(r, r_prime);
    }
    fe_abs(r, r);
    return correct || flipped;
}

/* --- Points (ref10's representations) ---------------------------------------------------- */

typedef struct { fe X, Y, Z, T; } ge_p3;            /* extended: x = X/Z, y = Y/Z, xy = T/Z */
typedef struct { fe X, Y, Z; } ge_p2;               /* projective */
typedef struct { fe X, Y, Z, T; } ge_p1p1;          /* completed */
typedef struct { fe YplusX, YminusX, Z, T2d; } ge_cached;

static void ge_p3_0(ge_p3 *h)
{
    fe_0(h->X); fe_1(h->Y); fe_1(h->Z); fe_0(h->T);
}

static void ge_p3_to_cached(ge_cached *r, const ge_p3 *p)
{
    fe_add(r->YplusX, p->Y, p->X);
    fe_sub(r->YminusX, p->Y, p->X);
    fe_copy(r->Z, p->Z);
    fe_mul(r->T2d, p->T, FE_D2);
}

static void ge_p1p1_to_p3(ge_p3 *r, const ge_p1p1 *p)
{
    fe_mul(r->X, p->X, p->T);
    fe_mul(r->Y, p->Y, p->Z);
    fe_mul(r->Z, p->Z, p->T);
    fe_mul(r->T, p->X, p->Y);
}

static void ge_p1p1_to_p2(ge_p2 *r, const ge_p1p1 *p)
{
    fe_mul(r->X, p->X, p->T);
    fe_mul(r->Y, p->Y, p->Z);
    fe_mul(r->Z, p->Z, p->T);
}

static void ge_p2_dbl(ge_p1p1 *r, const ge_p2 *p)
{
    fe t0;
    fe_sq(r->X, p->X);
    fe_sq(r->Z, p->Y);
    fe_sq(r->T, p->Z);
    fe_add(r->T, r->T, r->T);
    fe_add(r->Y, p->X, p->Y);
    fe_sq(t0, r->Y);
    fe_add(r->Y, r->Z, r->X);
    fe_sub(r->Z, r->Z, r->X);
    fe_sub(r->X, t0, r->Y);
    fe_sub(r->T, r->T, r->Z);
}

static void ge_p3_dbl(ge_p1p1 *r, const ge_p3 *p)
{
    ge_p2 q;
    fe_copy(q.X, p->X); fe_copy(q.Y, p->Y); fe_copy(q.Z, p->Z);
    ge_p2_dbl(r, &q);
}

static void ge_add(ge_p1p1 *r, const ge_p3 *p, const ge_cached *q)
{
    fe t0;
    fe_add(r->X, p->Y, p->X);
    fe_sub(r->Y, p->Y, p->X);
    fe_mul(r->Z, r->X, q->YplusX);
    fe_mul(r->Y, r->Y, q->YminusX);
    fe_mul(r->T, q->T2d, p->T);
    fe_mul(r->X, p->Z, q->Z);
    fe_add(t0, r->X, r->X);
    fe_sub(r->X, r->Z, r->Y);
    fe_add(r->Y, r->Z, r->Y);
    fe_add(r->Z, t0, r->T);
    fe_sub(r->T, t0, r->T);
}

static void ge_sub(ge_p1p1 *r, const ge_p3 *p, const ge_cached *q)
{
    fe t0;
    fe_add(r->X, p->Y, p->X);
    fe_sub(r->Y, p->Y, p->X);
    fe_mul(r->Z, r->X, q->YminusX);
    fe_mul(r->Y, r->Y, q->YplusX);
    fe_mul(r->T, q->T2d, p->T);
    fe_mul(r->X, p->Z, q->Z);
    fe_add(t0, r->X, r->X);
    fe_sub(r->X, r->Z, r->Y);
    fe_add(r->Y, r->Z, r->Y);
    fe_sub(r->Z, t0, r->T);
    fe_add(r->T, t0, r->T);
}

/* 1/z = z^(p-2) = z^(2^255 - 21), ref10's addition chain (zero gives zero). */
static void fe_invert(fe out, const fe z)
{
    fe t0, t1, t2, t3;
    fe_sq(t0, z);
    fe_sqn(t1, t0, 2);
    fe_mul(t1, z, t1);
    fe_mul(t0, t0, t1);       /* z^11 */
    fe_sq(t2, t0);
    fe_mul(t1, t1, t2);       /* z^(2^5 - 1) */
    fe_sqn(t2, t1, 5);
    fe_mul(t1, t2, t1);       /* 2^10 - 1 */
    fe_sqn(t2, t1, 10);
    fe_mul(t2, t2, t1);       /* 2^20 - 1 */
    fe_sqn(t3, t2, 20);
    fe_mul(t2, t3, t2);       /* 2^40 - 1 */
    fe_sqn(t2, t2, 10);
    fe_mul(t1, t2, t1);       /* 2^50 - 1 */
    fe_sqn(t2, t1, 50);
    fe_mul(t2, t2, t1);       /* 2^100 - 1 */
    fe_sqn(t3, t2, 100);
    fe_mul(t2, t3, t2);       /* 2^200 - 1 */
    fe_sqn(t2, t2, 50);
    fe_mul(t1, t2, t1);       /* 2^250 - 1 */
    fe_sqn(t1, t1, 5);        /* 2^255 - 2^5 */
    fe_mul(out, t1, t0);      /* 2^255 - 21 */
}

/* Inverts x[0..n) in place with one inversion (Montgomery's trick); tmp holds n elements.
 * Every x[i] must be non-zero. */
static void fe_batch_invert(fe *x, fe *tmp, Py_ssize_t n)
{
    if (n == 0) return;
    fe acc, t;
    fe_copy(tmp[0], x[0]);
    for (Py_ssize_t i = 1; i < n; i++) fe_mul(tmp[i], tmp[i - 1], x[i]);
    fe_invert(acc, tmp[n - 1]);
    for (Py_ssize_t i = n - 1; i > 0; i--) {
        fe_mul(t, acc, tmp[i - 1]);   /* 1/x[i] */
        fe_mul(acc, acc, x[i]);       /* 1/(x[0] ... x[i-1]) */
        fe_copy(x[i], t);
    }
    fe_copy(x[0], acc);
}

/* An affine point ready for a mixed addition (ref10's ge_precomp): y+x, y-x, 2dxy with Z = 1.
 * The fixed bases (G and the election key) are kept this way: one multiplication fewer per
 * addition than ge_cached. */
typedef struct { fe yplusx, yminusx, xy2d; } ge_precomp;

static void ge_madd(ge_p1p1 *r, const ge_p3 *p, const ge_precomp *q)
{
    fe t0;
    fe_add(r->X, p->Y, p->X);
    fe_sub(r->Y, p->Y, p->X);
    fe_mul(r->Z, r->X, q->yplusx);
    fe_mul(r->Y, r->Y, q->yminusx);
    fe_mul(r->T, q->xy2d, p->T);
    fe_add(t0, p->Z, p->Z);
    fe_sub(r->X, r->Z, r->Y);
    fe_add(r->Y, r->Z, r->Y);
    fe_add(r->Z, t0, r->T);
    fe_sub(r->T, t0, r->T);
}

static void ge_msub(ge_p1p1 *r, const ge_p3 *p, const ge_precomp *q)
{
    fe t0;
    fe_add(r->X, p->Y, p->X);
    fe_sub(r->Y, p->Y, p->X);
    fe_mul(r->Z, r->X, q->yminusx);
    fe_mul(r->Y, r->Y, q->yplusx);
    fe_mul(r->T, q->xy2d, p->T);
    fe_add(t0, p->Z, p->Z);
    fe_sub(r->X, r->Z, r->Y);
    fe_add(r->Y, r->Z, r->Y);
    fe_sub(r->Z, t0, r->T);
    fe_add(r->T, t0, r->T);
}

/* Carries f's limbs below 2^51 + a little (not fully reduced), for values stored in tables. */
static void fe_carry(fe h, const fe f)
{
    uint64_t t[5];
    memcpy(t, f, sizeof(t));
    t[1] += t[0] >> 51; t[0] &= MASK51;
    t[2] += t[1] >> 51; t[1] &= MASK51;
    t[3] += t[2] >> 51; t[2] &= MASK51;
    t[4] += t[3] >> 51; t[3] &= MASK51;
    t[0] += 19ULL * (t[4] >> 51); t[4] &= MASK51;
    memcpy(h, t, sizeof(t));
}

/* RFC 9496 section 4.3.1. Returns 0 for a non-canonical or invalid encoding. */
static int ristretto_decode(ge_p3 *h, const unsigned char *s)
{
    fe sf, ss, u1, u2, u2_sqr, v, t, invsqrt, den_x, den_y, x, y;
    unsigned char check[32];
    fe_frombytes(sf, s);
    fe_tobytes(check, sf);
    if (memcmp(check, s, 32) != 0 || (s[0] & 1)) return 0; /* not canonical, or negative */
    fe_sq(ss, sf);
    fe one;
    fe_1(one);
    fe_sub(u1, one, ss);
    fe_add(u2, one, ss);
    fe_sq(u2_sqr, u2);
    fe_sq(t, u1);
    fe_mul(t, t, FE_D);
    fe_neg(v, t);
    fe_sub(v, v, u2_sqr);     /* v = -(D u1^2) - u2^2 */
    fe_mul(t, v, u2_sqr);
    int was_square = fe_sqrt_ratio_m1(invsqrt, one, t);
    fe_mul(den_x, invsqrt, u2);
    fe_mul(den_y, invsqrt, den_x);
    fe_mul(den_y, den_y, v);
    fe_mul(x, sf, den_x);
    fe_add(x, x, x);
    fe_abs(x, x);
    fe_mul(y, u1, den_y);
    fe_mul(t, x, y);
    if (!was_square || fe_isnegative(t) || fe_iszero(y)) return 0;
    fe_copy(h->X, x); fe_copy(h->Y, y); fe_1(h->Z); fe_copy(h->T, t);
    return 1;
}

/* RFC 9496 section 4.3.2. */
static void ristretto_encode(unsigned char *s, const ge_p3 *p)
{
    fe u1, u2, t, invsqrt, den1, den2, z_inv, ix, iy, enchanted, x, y, den_inv, one;
    fe_add(u1, p->Z, p->Y);
    fe_sub(t, p->Z, p->Y);
    fe_mul(u1, u1, t);
    fe_mul(u2, p->X, p->Y);
    fe_sq(t, u2);
    fe_mul(t, t, u1);
    fe_1(one);
    fe_sqrt_ratio_m1(invsqrt, one, t);
    fe_mul(den1, invsqrt, u1);
    fe_mul(den2, invsqrt, u2);
    fe_mul(z_inv, den1, den2);
    fe_mul(z_inv, z_inv, p->T);
    fe_mul(ix, p->X, FE_SQRT_M1);
    fe_mul(iy, p->Y, FE_SQRT_M1);
    fe_mul(enchanted, den1, FE_INVSQRT_A_MINUS_D);
    fe_mul(t, p->T, z_inv);
    if (fe_isnegative(t)) {
        fe_copy(x, iy); fe_copy(y, ix); fe_copy(den_inv, enchanted);
    } else {
        fe_copy(x, p->X); fe_copy(y, p->Y); fe_copy(den_inv, den2);
    }
    fe_mul(t, x, z_inv);
    if (fe_isnegative(t)) fe_neg(y, y);
    fe_sub(t, p->Z, y);
    fe_mul(t, den_inv, t);
    fe_abs(t, t);
    fe_tobytes(s, t);
}

/* --- Scalars ---------------------------------------------------------------------------- */

/* The group order L = 2^252 + 27742317777372353535851937790883648493, 64-bit limbs. */
static const uint64_t L_LIMBS[4] = {0x5812631a5cf5d3edULL, 0x14def9dea2f79cd6ULL, 0,
                                    0x1000000000000000ULL};

/* out = a/2 modulo L for a below 2^253: a/2 when a is even, else (a + L)/2. Commitments are
 * computed halved, then doubled by the batch encoding (encode_doubled_batch). */
static void scalar_half(unsigned char *out, const unsigned char *a)
{
    uint64_t w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = 0;
        for (int j = 7; j >= 0; j--) w[i] = (w[i] << 8) | a[8 * i + j];
    }
    uint64_t top = 0;
    if (w[0] & 1) {
        u128 carry = 0;
        for (int i = 0; i < 4; i++) {
            carry += (u128)w[i] + L_LIMBS[i];
            w[i] = (uint64_t)carry;
            carry >>= 64;
        }
        top = (uint64_t)carry;
    }
    for (int i = 0; i < 3; i++) w[i] = (w[i] >> 1) | (w[i + 1] << 63);
    w[3] = (w[3] >> 1) | (top << 63);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) out[8 * i + j] = (unsigned char)(w[i] >> (8 * j));
}

/* A scalar (32 bytes little-endian, below 2^253) as 256 signed digits d[i], each zero or odd
 * with |d[i]| < 2^(w-1), and the sum of d[i] 2^i equal to the scalar: ref10's slide with the
 * window w as a parameter (5 for points met once, 8 for the fixed bases' wide tables). */
static void slide(signed char *r, const unsigned char *a, int w)
{
    const int most = (1 << (w - 1)) - 1;
    int i, b, k;
    for (i = 0; i < 256; ++i) r[i] = 1 & (a[i >> 3] >> (i & 7));
    for (i = 0; i < 256; ++i) {
        if (!r[i]) continue;
        for (b = 1; b <= w + 1 && i + b < 256; ++b) {
            if (!r[i + b]) continue;
            int ribs = r[i + b] << b;
            if (r[i] + ribs <= most) {
                r[i] = (signed char)(r[i] + ribs);
                r[i + b] = 0;
            } else if (r[i] - ribs >= -most) {
                r[i] = (signed char)(r[i] - ribs);
                for (k = i + b; k < 256; ++k) {
                    if (!r[k]) {
                        r[k] = 1;
                        break;
                    }
                    r[k] = 0;
                }
            } else {
                break;
            }
        }
    }
}

/* --- Tables ----------------------------------------------------------------------------- */

/* P, 3P, 5P, ..., 15P, for a window of 5 (a point used by a few multiplications). */
static void odd_multiples(ge_cached *table, const ge_p3 *p)
{
    ge_p1p1 t;
    ge_p3 p2, u;
    ge_cached p2c;
    ge_p3_to_cached(&table[0], p);
    ge_p3_dbl(&t, p);
    ge_p1p1_to_p3(&p2, &t);
    ge_p3_to_cached(&p2c, &p2);
    u = *p;
    for (int i = 1; i < 8; i++) {
        ge_add(&t, &u, &p2c);
        ge_p1p1_to_p3(&u, &t);
        ge_p3_to_cached(&table[i], &u);
    }
}

/* r = 2^n p, n >= 1. */
static void ge_p3_dbl_n(ge_p3 *r, const ge_p3 *p, int n)
{
    ge_p2 q;
    ge_p1p1 t;
    fe_copy(q.X, p->X); fe_copy(q.Y, p->Y); fe_copy(q.Z, p->Z);
    for (int i = 0; i < n; i++) {
        ge_p2_dbl(&t, &q);
        if (i < n - 1) ge_p1p1_to_p2(&q, &t);
    }
    ge_p1p1_to_p3(r, &t);
}

#define SPLIT 128      /* scalars are cut in two halves: P and 2^128 P get their own tables */
#define WIDE 64        /* odd multiples up to 127 P: the window of 8 of the fixed bases */

/* A fixed base's tables: the odd multiples up to 127 P and up to 127 (2^128 P), affine. Built
 * once for G and once per election key (128 doublings, 128 additions and one inversion for all
 * 128 points: a few tenths of a millisecond, as much as a ballot's proofs). */
typedef struct { ge_precomp lo[WIDE], hi[WIDE]; } fixed_tables;

static void fixed_tables_build(fixed_tables *out, const ge_p3 *p)
{
    ge_p3 pts[2 * WIDE], p2;
    ge_p1p1 t;
    ge_cached step;
    fe zinv[2 * WIDE], tmp[2 * WIDE];
    for (int half = 0; half < 2; half++) {
        ge_p3 *row = pts + half * WIDE;
        if (half == 0)
            row[0] = *p;
        else
            ge_p3_dbl_n(&row[0], p, SPLIT);
        ge_p3_dbl(&t, &row[0]);
        ge_p1p1_to_p3(&p2, &t);
        ge_p3_to_cached(&step, &p2);
        for (int i = 1; i < WIDE; i++) {
            ge_add(&t, &row[i - 1], &step);
            ge_p1p1_to_p3(&row[i], &t);
        }
    }
    for (int i = 0; i < 2 * WIDE; i++) fe_copy(zinv[i], pts[i].Z);
    fe_batch_invert(zinv, tmp, 2 * WIDE); /* Z is never zero in extended coordinates */
    for (int i = 0; i < 2 * WIDE; i++) {
        ge_precomp *q = i < WIDE ? &out->lo[i] : &out->hi[i - WIDE];
        fe x, y, xy;
        fe_mul(x, pts[i].X, zinv[i]);
        fe_mul(y, pts[i].Y, zinv[i]);
        fe_add(q->yplusx, y, x);
        fe_carry(q->yplusx, q->yplusx);
        fe_sub(q->yminusx, y, x);
        fe_carry(q->yminusx, q->yminusx);
        fe_mul(xy, x, y);
        fe_mul(q->xy2d, xy, FE_D2);
    }
}

/* --- Multi-scalar multiplication (Straus, signed sliding windows) ------------------------ */

static inline void add_fixed(ge_p1p1 *t, int d, const ge_precomp *table)
{
    ge_p3 u;
    ge_p1p1_to_p3(&u, t);
    if (d > 0)
        ge_madd(t, &u, &table[d / 2]);
    else
        ge_msub(t, &u, &table[(-d) / 2]);
}

/* Subtracts: the variable point's scalar is always a challenge c in `s*F - c*V`. */
static inline void sub_variable(ge_p1p1 *t, int d, const ge_cached *table)
{
    ge_p3 u;
    ge_p1p1_to_p3(&u, t);
    if (d > 0)
        ge_sub(t, &u, &table[d / 2]);
    else
        ge_add(t, &u, &table[(-d) / 2]);
}

/* out = s F - c V, with s's digits ds (window 8) against a fixed base's tables f, and c's
 * digits dc (window 5) against V's tables v_lo (V) and v_hi (2^128 V). Each digit at i >= 128
 * is taken with the upper table at i - 128: 128 doublings instead of 253. */
static void commit_msm(ge_p3 *out, const signed char *ds, const fixed_tables *f, const signed char *dc,
                       const ge_cached *v_lo, const ge_cached *v_hi)
{
    int i = SPLIT - 1;
    while (i >= 0 && !(ds[i] | ds[i + SPLIT] | dc[i] | dc[i + SPLIT])) i--;
    if (i < 0) {
        ge_p3_0(out);
        return;
    }
    ge_p2 r;
    ge_p1p1 t;
    fe_0(r.X); fe_1(r.Y); fe_1(r.Z);
    for (; i >= 0; i--) {
        ge_p2_dbl(&t, &r);
        if (ds[i]) add_fixed(&t, ds[i], f->lo);
        if (ds[i + SPLIT]) add_fixed(&t, ds[i + SPLIT], f->hi);
        if (dc[i]) sub_variable(&t, dc[i], v_lo);
        if (dc[i + SPLIT]) sub_variable(&t, dc[i + SPLIT], v_hi);
        if (i > 0) ge_p1p1_to_p2(&r, &t);
    }
    ge_p1p1_to_p3(out, &t);
}

/* out = v P for a small public v (a value of a range proof), from P's wide table. */
static void fixed_mul_small(ge_p3 *out, const ge_precomp *table, uint64_t v)
{
    unsigned char bytes[32] = {0};
    signed char d[256];
    for (int j = 0; j < 8; j++) bytes[j] = (unsigned char)(v >> (8 * j));
    slide(d, bytes, 8);
    ge_p3_0(out);
    ge_p1p1 t;
    int i = 255;
    while (i >= 0 && !d[i]) i--;
    for (; i >= 0; i--) {
        ge_p3_dbl(&t, out);
        if (d[i]) add_fixed(&t, d[i], table);
        ge_p1p1_to_p3(out, &t);
    }
}

/* out = p - q. */
static void ge_p3_sub(ge_p3 *out, const ge_p3 *p, const ge_p3 *q)
{
    ge_cached qc;
    ge_p1p1 t;
    ge_p3_to_cached(&qc, q);
    ge_sub(&t, p, &qc);
    ge_p1p1_to_p3(out, &t);
}

/* out = sum of digits[j] * tables[j] for j < n (windows of 5; linear_combination's path). */
#define MAX_TERMS 4

static void msm(ge_p3 *out, int n, signed char digits[][256], const ge_cached *tables[])
{
    int i = 255;
    while (i >= 0) {
        int any = 0;
        for (int j = 0; j < n; j++) any |= digits[j][i];
        if (any) break;
        i--;
    }
    if (i < 0) {
        ge_p3_0(out);
        return;
    }
    ge_p2 r;
    ge_p1p1 t;
    ge_p3 u;
    fe_0(r.X); fe_1(r.Y); fe_1(r.Z);
    for (; i >= 0; i--) {
        ge_p2_dbl(&t, &r);
        for (int j = 0; j < n; j++) {
            int d = digits[j][i];
            if (d > 0) {
                ge_p1p1_to_p3(&u, &t);
                ge_add(&t, &u, &tables[j][d / 2]);
            } else if (d < 0) {
                ge_p1p1_to_p3(&u, &t);
                ge_sub(&t, &u, &tables[j][(-d) / 2]);
            }
        }
        if (i > 0) ge_p1p1_to_p2(&r, &t);
    }
    ge_p1p1_to_p3(out, &t);
}

/* --- Encoding many points ---------------------------------------------------------------- */

typedef struct { fe e, f, g, h, eg, fh; } doubling_state;

/* The encodings of 2 P[i], i < n, into out (32 bytes each) with one field inversion for all:
 * curve25519-dalek's RistrettoPoint::double_and_compress_batch. An encoding alone costs an
 * inverse square root (about 265 multiplications); here each point costs about 20 and the batch
 * one inversion. If a doubling is degenerate (2 P[i] the identity makes the product of the
 * denominators zero), every point is doubled and encoded alone instead. `work` holds n states
 * and `inv`, `tmp` n field elements each. */
static void encode_doubled_batch(unsigned char *out, const ge_p3 *p, Py_ssize_t n, doubling_state *work,
                                 fe *inv, fe *tmp)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        doubling_state *st = &work[i];
        fe xx, yy, zz, dtt, t;
        fe_sq(xx, p[i].X);
        fe_sq(yy, p[i].Y);
        fe_sq(zz, p[i].Z);
        fe_sq(t, p[i].T);
        fe_mul(dtt, t, FE_D);
        fe_add(t, p[i].Y, p[i].Y);
        fe_mul(st->e, p[i].X, t);      /* 2XY */
        fe_add(st->f, zz, dtt);        /* Z^2 + d T^2 */
        fe_add(st->g, yy, xx);         /* Y^2 - a X^2 with a = -1 */
        fe_sub(st->h, zz, dtt);        /* Z^2 - d T^2 */
        fe_mul(st->eg, st->e, st->g);
        fe_mul(st->fh, st->f, st->h);
        fe_mul(inv[i], st->eg, st->fh);
    }
    int nonzero = 1;
    for (Py_ssize_t i = 0; i < n && nonzero; i++) nonzero = !fe_iszero(inv[i]);
    if (!nonzero) {
        for (Py_ssize_t i = 0; i < n; i++) {
            ge_p1p1 t;
            ge_p3 d;
            ge_p3_dbl(&t, &p[i]);
            ge_p1p1_to_p3(&d, &t);
            ristretto_encode(out + 32 * i, &d);
        }
        return;
    }
    fe_batch_invert(inv, tmp, n);
    for (Py_ssize_t i = 0; i < n; i++) {
        const doubling_state *st = &work[i];
        fe zinv, tinv, t, e, g, h, magic, s;
        fe_mul(zinv, st->eg, inv[i]);
        fe_mul(tinv, st->fh, inv[i]);
        fe_mul(t, st->eg, zinv);
        if (fe_isnegative(t)) {        /* rotate by the 4-torsion point */
            fe_copy(e, st->g);
            fe_neg(g, st->e);
            fe_mul(h, st->f, FE_SQRT_M1);
            fe_copy(magic, FE_SQRT_M1);
        } else {
            fe_copy(e, st->e);
            fe_copy(g, st->g);
            fe_copy(h, st->h);
            fe_copy(magic, FE_INVSQRT_A_MINUS_D);
        }
        fe_mul(t, h, e);
        fe_mul(t, t, zinv);
        if (fe_isnegative(t)) fe_neg(g, g);
        fe_mul(t, g, tinv);
        fe_mul(t, magic, t);
        fe_sub(s, h, g);
        fe_mul(s, s, t);
        fe_abs(s, s);
        fe_tobytes(out + 32 * i, s);
    }
}

/* --- The module ----------------------------------------------------------------------- */

/* The module's API version: group.py uses the module only from this version on (an older
 * build, left in place by an install without a compiler, takes rows of another form). */
#define API_VERSION 2

static fixed_tables base_tables;      /* G's, built at import */
static ge_cached base_table[8];       /* G's window of 5, for linear_combination */

/* The election keys' tables, the last ones used (15 KB each): a poll has one key, so they are
 * built once per process and poll; sixteen slots keep up to sixteen secret polls voting at once
 * from rebuilding their tables in turn for every ballot. */
#define KEY_SLOTS 16
typedef struct {
    int set;
    unsigned char bytes[32];
    fixed_tables tables;
} key_slot;
static key_slot key_slots[KEY_SLOTS];
static int key_next = 0;

static const unsigned char BASE_BYTES[32] = {
    0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61, 0xc5, 0x00, 0x51, 0x5f,
    0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd, 0x8d, 0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76};

/* The last points decoded or summed, with their encodings. A cast checks each answer's proof
 * (decoding alpha and beta), sums the answers' ciphertexts (decoding them again) and checks the
 * overall proof on the sum (decoding what point_sum has just encoded): a decoding costs an
 * inverse square root, and this memo saves eight of them per yes/no/abstain ballot. Any point
 * equal to the encoding's (as a ristretto255 element) gives the same results. */
#define MEMO_SLOTS 16
typedef struct {
    int set;
    unsigned char bytes[32];
    ge_p3 p;
} memo_slot;
static memo_slot memo[MEMO_SLOTS];
static int memo_next = 0;

static void memo_put(const unsigned char *bytes, const ge_p3 *p)
{
    memo_slot *slot = &memo[memo_next];
    memo_next = (memo_next + 1) % MEMO_SLOTS;
    memcpy(slot->bytes, bytes, 32);
    slot->p = *p;
    slot->set = 1;
}

static int get_point(PyObject *obj, ge_p3 *p, const char *what)
{
    char *buf;
    Py_ssize_t len;
    if (PyBytes_AsStringAndSize(obj, &buf, &len) < 0) return 0;
    if (len == 32)
        for (int i = 0; i < MEMO_SLOTS; i++)
            if (memo[i].set && memcmp(memo[i].bytes, buf, 32) == 0) {
                *p = memo[i].p;
                return 1;
            }
    if (len != 32 || !ristretto_decode(p, (const unsigned char *)buf)) {
        PyErr_Format(PyExc_ValueError, "%s: not a valid ristretto255 point", what);
        return 0;
    }
    memo_put((const unsigned char *)buf, p);
    return 1;
}

/* The 32 bytes of a scalar below 2^253 (its buffer, borrowed), or NULL with ValueError. */
static const unsigned char *get_scalar_bytes(PyObject *obj)
{
    char *buf;
    Py_ssize_t len;
    if (PyBytes_AsStringAndSize(obj, &buf, &len) < 0) return NULL;
    if (len != 32 || (buf[31] & 0xe0)) {
        PyErr_SetString(PyExc_ValueError, "a scalar must be 32 bytes below 2^253");
        return NULL;
    }
    return (const unsigned char *)buf;
}

static int get_scalar(PyObject *obj, signed char *digits)
{
    const unsigned char *s = get_scalar_bytes(obj);
    if (s == NULL) return 0;
    slide(digits, s, 5);
    return 1;
}

static PyObject *encoded(const ge_p3 *p)
{
    unsigned char s[32];
    ristretto_encode(s, p);
    return PyBytes_FromStringAndSize((const char *)s, 32);
}

static const fixed_tables *key_tables(PyObject *key)
{
    char *buf;
    Py_ssize_t len;
    if (PyBytes_AsStringAndSize(key, &buf, &len) < 0) return NULL;
    for (int i = 0; i < KEY_SLOTS; i++)
        if (key_slots[i].set && len == 32 && memcmp(buf, key_slots[i].bytes, 32) == 0)
            return &key_slots[i].tables;
    ge_p3 y;
    if (!get_point(key, &y, "key")) return NULL; /* decoded before a slot is overwritten */
    key_slot *slot = &key_slots[key_next];
    key_next = (key_next + 1) % KEY_SLOTS;
    fixed_tables_build(&slot->tables, &y);
    memcpy(slot->bytes, buf, 32);
    slot->set = 1;
    return &slot->tables;
}

PyDoc_STRVAR(range_commitments_doc,
"range_commitments(key, alpha, beta, rows) -> list of bytes\n\n"
"For each row (s, c, v) -- s and c 32-byte little-endian scalars below 2^253, v an integer\n"
"in [0, 2^63) -- the two commitments A = s*G - c*alpha and B = s*key - c*(beta - v*G),\n"
"encoded; A, B, A, B, ... in order. Points are 32-byte ristretto255 encodings; an invalid one\n"
"raises ValueError.");

static PyObject *range_commitments(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *key, *alpha_obj, *beta_obj, *rows;
    if (!PyArg_ParseTuple(args, "SSSO", &key, &alpha_obj, &beta_obj, &rows)) return NULL;
    const fixed_tables *key_t = key_tables(key);
    if (key_t == NULL) return NULL;
    ge_p3 alpha, beta, alpha_hi, beta_hi;
    if (!get_point(alpha_obj, &alpha, "alpha") || !get_point(beta_obj, &beta, "beta")) return NULL;
    PyObject *seq = PySequence_Fast(rows, "rows must be a sequence");
    if (seq == NULL) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *result = NULL;
    char *work = NULL;
    if (n == 0) {
        result = PyList_New(0);
        goto done;
    }
    /* alpha and beta serve every branch: their upper halves' doublings are done once here. */
    ge_p3_dbl_n(&alpha_hi, &alpha, SPLIT);
    ge_p3_dbl_n(&beta_hi, &beta, SPLIT);
    ge_cached alpha_lo_t[8], alpha_hi_t[8], beta_lo_t[8], beta_hi_t[8], shifted_lo_t[8], shifted_hi_t[8];
    odd_multiples(alpha_lo_t, &alpha);
    odd_multiples(alpha_hi_t, &alpha_hi);
    odd_multiples(beta_lo_t, &beta);
    odd_multiples(beta_hi_t, &beta_hi);
    size_t m = (size_t)(2 * n);
    work = PyMem_Malloc(m * (sizeof(ge_p3) + sizeof(doubling_state) + 2 * sizeof(fe) + 32));
    if (work == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    ge_p3 *points = (ge_p3 *)work;
    doubling_state *states = (doubling_state *)(points + m);
    fe *inv = (fe *)(states + m);
    fe *tmp = inv + m;
    unsigned char *bytes = (unsigned char *)(tmp + m);
    signed char ds[256], dc[256];
    unsigned char half[32];
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *row = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) != 3) {
            PyErr_SetString(PyExc_ValueError, "a row must be a tuple (s, c, v)");
            goto done;
        }
        const unsigned char *s = get_scalar_bytes(PyTuple_GET_ITEM(row, 0));
        const unsigned char *c = s ? get_scalar_bytes(PyTuple_GET_ITEM(row, 1)) : NULL;
        if (c == NULL) goto done;
        unsigned long long v = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(row, 2));
        if (v == (unsigned long long)-1 && PyErr_Occurred()) goto done;
        if (v >> 63) {
            PyErr_SetString(PyExc_ValueError, "a value must be below 2^63");
            goto done;
        }
        /* Halved scalars give A/2 and B/2; encode_doubled_batch encodes their doubles. */
        scalar_half(half, s);
        slide(ds, half, 8);
        scalar_half(half, c);
        slide(dc, half, 5);
        commit_msm(&points[2 * i], ds, &base_tables, dc, alpha_lo_t, alpha_hi_t);
        const ge_cached *lo = beta_lo_t, *hi = beta_hi_t;
        if (v) {
            /* beta - v G, and its upper half 2^128 beta - v (2^128 G) without new doublings. */
            ge_p3 vg, shifted;
            fixed_mul_small(&vg, base_tables.lo, v);
            ge_p3_sub(&shifted, &beta, &vg);
            odd_multiples(shifted_lo_t, &shifted);
            fixed_mul_small(&vg, base_tables.hi, v);
            ge_p3_sub(&shifted, &beta_hi, &vg);
            odd_multiples(shifted_hi_t, &shifted);
            lo = shifted_lo_t;
            hi = shifted_hi_t;
        }
        commit_msm(&points[2 * i + 1], ds, key_t, dc, lo, hi);
    }
    encode_doubled_batch(bytes, points, (Py_ssize_t)m, states, inv, tmp);
    result = PyList_New((Py_ssize_t)m);
    if (result == NULL) goto done;
    for (size_t i = 0; i < m; i++) {
        PyObject *b = PyBytes_FromStringAndSize((const char *)bytes + 32 * i, 32);
        if (b == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, (Py_ssize_t)i, b);
    }
done:
    PyMem_Free(work);
    Py_DECREF(seq);
    return result;
}

PyDoc_STRVAR(linear_combination_doc,
"linear_combination(scalars, points) -> bytes\n\n"
"sum of scalars[i] * points[i] (at most 4 terms), encoded; None as a point stands for G.");

static PyObject *linear_combination(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *scalars, *points;
    if (!PyArg_ParseTuple(args, "OO", &scalars, &points)) return NULL;
    PyObject *ss = PySequence_Fast(scalars, "scalars must be a sequence");
    if (ss == NULL) return NULL;
    PyObject *ps = PySequence_Fast(points, "points must be a sequence");
    if (ps == NULL) {
        Py_DECREF(ss);
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(ss);
    if (n != PySequence_Fast_GET_SIZE(ps) || n < 1 || n > MAX_TERMS) {
        PyErr_SetString(PyExc_ValueError, "one to four scalars, one point each");
        goto done;
    }
    signed char digits[MAX_TERMS][256];
    ge_cached tables[MAX_TERMS][8];
    const ge_cached *tp[MAX_TERMS];
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!get_scalar(PySequence_Fast_GET_ITEM(ss, i), digits[i])) goto done;
        PyObject *p = PySequence_Fast_GET_ITEM(ps, i);
        if (p == Py_None) {
            tp[i] = base_table;
        } else {
            ge_p3 point;
            if (!get_point(p, &point, "point")) goto done;
            odd_multiples(tables[i], &point);
            tp[i] = tables[i];
        }
    }
    ge_p3 out;
    msm(&out, (int)n, digits, tp);
    result = encoded(&out);
done:
    Py_DECREF(ss);
    Py_DECREF(ps);
    return result;
}

PyDoc_STRVAR(point_sum_doc,
"point_sum(points) -> bytes\n\n"
"The sum of the points (32-byte encodings), encoded; the identity for none.");

static PyObject *point_sum(PyObject *Py_UNUSED(self), PyObject *points)
{
    PyObject *seq = PySequence_Fast(points, "points must be a sequence");
    if (seq == NULL) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    ge_p3 total, p;
    ge_cached c;
    ge_p1p1 t;
    ge_p3_0(&total);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!get_point(PySequence_Fast_GET_ITEM(seq, i), &p, "point")) {
            Py_DECREF(seq);
            return NULL;
        }
        ge_p3_to_cached(&c, &p);
        ge_add(&t, &total, &c);
        ge_p1p1_to_p3(&total, &t);
    }
    Py_DECREF(seq);
    unsigned char s[32];
    ristretto_encode(s, &total);
    memo_put(s, &total); /* the overall proof's ciphertext, decoded next */
    return PyBytes_FromStringAndSize((const char *)s, 32);
}

static PyMethodDef methods[] = {
    {"range_commitments", range_commitments, METH_VARARGS, range_commitments_doc},
    {"linear_combination", linear_combination, METH_VARARGS, linear_combination_doc},
    {"point_sum", point_sum, METH_O, point_sum_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_ristretto",
    "ristretto255 multi-scalar multiplication for verifiers (variable time: public values only).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__ristretto(void)
{
    ge_p3 base;
    if (!ristretto_decode(&base, BASE_BYTES)) {
        PyErr_SetString(PyExc_ImportError, "_ristretto: the base point does not decode");
        return NULL;
    }
    odd_multiples(base_table, &base);
    fixed_tables_build(&base_tables, &base);
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddIntConstant(m, "API", API_VERSION) < 0) Py_CLEAR(m);
    return m;
}
