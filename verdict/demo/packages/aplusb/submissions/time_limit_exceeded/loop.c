/* Reads the input correctly, then spins forever: must end as TLE. */
#include <stdio.h>

int main(void) {
    long long a, b;
    volatile unsigned long long spins = 0;
    if (scanf("%lld %lld", &a, &b) != 2) return 1;
    for (;;) spins++;
    printf("%lld\n", a + b);
    return 0;
}
