// Dense double-precision matrix multiply: f64 loads, multiply-add.
#define N 96
static double a[N][N], b[N][N], c[N][N];

__attribute__((export_name("run"))) long long run(int rounds) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)(i + j) / N;
            b[i][j] = (double)(i - j) / N;
        }
    double checksum = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double sum = 0;
                for (int k = 0; k < N; k++) sum += a[i][k] * b[k][j];
                c[i][j] = sum;
            }
        checksum += c[r % N][(r * 7) % N];
    }
    return (long long)(checksum * 1000.0);
}
