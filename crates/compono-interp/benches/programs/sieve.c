// Sieve of Eratosthenes, repeated: byte loads and stores in tight loops.
#define LIMIT 1000000
static unsigned char composite[LIMIT + 1];

__attribute__((export_name("run"))) long long run(int rounds) {
    long long total = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i <= LIMIT; i++) composite[i] = 0;
        int count = 0;
        for (int i = 2; i <= LIMIT; i++) {
            if (!composite[i]) {
                count++;
                for (long long j = (long long)i * i; j <= LIMIT; j += i) composite[j] = 1;
            }
        }
        total += count;
    }
    return total;
}
