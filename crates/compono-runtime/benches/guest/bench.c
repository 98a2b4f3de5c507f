// The runtime benchmarks' guest: a string echo, a byte sum and SHA-256,
// with the canonical ABI written by hand (no bindings, no libc), so the
// component is what a C toolchain makes without any help.
#include <stdint.h>
#include <stddef.h>

// The compiler lowers array initialisation and copies to these.
void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

extern unsigned char __heap_base;
static uintptr_t next_free = (uintptr_t)&__heap_base;

// A bump allocator that grows memory as needed; `free` is post-return's
// job, which resets the heap (the benchmarks call one export at a time).
__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
    uintptr_t p = (next_free + align - 1) & ~(uintptr_t)(align - 1);
    uintptr_t end = p + new_size;
    size_t have = __builtin_wasm_memory_size(0) * 65536;
    if (end > have) {
        size_t pages = (end - have + 65535) / 65536;
        if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) __builtin_trap();
    }
    next_free = end;
    unsigned char *dst = (unsigned char *)p;
    const unsigned char *src = old;
    for (size_t i = 0; old && i < old_size && i < new_size; i++) dst[i] = src[i];
    return dst;
}

static void reset_heap(void) { next_free = (uintptr_t)&__heap_base; }

static uint32_t ret_area[2];

__attribute__((export_name("echo")))
uint32_t *echo(uint8_t *s, size_t len) {
    uint8_t *copy = cabi_realloc(0, 0, 1, len);
    for (size_t i = 0; i < len; i++) copy[i] = s[i];
    ret_area[0] = (uint32_t)(uintptr_t)copy;
    ret_area[1] = (uint32_t)len;
    return ret_area;
}

__attribute__((export_name("cabi_post_echo")))
void post_echo(uint32_t *ret) { (void)ret; reset_heap(); }

__attribute__((export_name("sum")))
uint32_t sum(uint8_t *bytes, size_t len) {
    uint32_t total = 0;
    for (size_t i = 0; i < len; i++) total += bytes[i];
    reset_heap();
    return total;
}

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void block(uint32_t h[8], const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

__attribute__((export_name("sha256")))
uint32_t *sha256(const uint8_t *data, size_t len) {
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    size_t full = len / 64 * 64;
    for (size_t i = 0; i < full; i += 64) block(h, data + i);
    uint8_t tail[128] = {0};
    size_t rest = len - full;
    for (size_t i = 0; i < rest; i++) tail[i] = data[full + i];
    tail[rest] = 0x80;
    size_t tail_len = rest < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    block(h, tail);
    if (tail_len == 128) block(h, tail + 64);
    uint8_t *digest = cabi_realloc(0, 0, 1, 32);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++) digest[4 * i + j] = (uint8_t)(h[i] >> (24 - 8 * j));
    ret_area[0] = (uint32_t)(uintptr_t)digest;
    ret_area[1] = 32;
    return ret_area;
}

__attribute__((export_name("cabi_post_sha256")))
void post_sha256(uint32_t *ret) { (void)ret; reset_heap(); }

__attribute__((export_name("sha256-made")))
uint32_t *sha256_made(size_t len) {
    uint8_t *data = cabi_realloc(0, 0, 1, len);
    for (size_t i = 0; i < len; i++) data[i] = (uint8_t)(i * 7);
    return sha256(data, len);
}

__attribute__((export_name("cabi_post_sha256-made")))
void post_sha256_made(uint32_t *ret) { (void)ret; reset_heap(); }
