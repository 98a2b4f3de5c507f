// Quicksort of pseudo-random integers: branches, indirect-free recursion, i32 memory traffic.
#define COUNT 200000
static int data[COUNT];

static void quicksort(int *v, int lo, int hi) {
    while (lo < hi) {
        int pivot = v[(lo + hi) / 2], i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) { int t = v[i]; v[i] = v[j]; v[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { quicksort(v, lo, j); lo = i; } else { quicksort(v, i, hi); hi = j; }
    }
}

__attribute__((export_name("run"))) long long run(int rounds) {
    unsigned int seed = 12345;
    long long check = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < COUNT; i++) { seed = seed * 1103515245u + 12345u; data[i] = (int)(seed >> 1); }
        quicksort(data, 0, COUNT - 1);
        check += data[COUNT / 2] + data[r % COUNT];
    }
    return check;
}
