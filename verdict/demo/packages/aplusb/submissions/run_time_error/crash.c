/* Dereferences a null pointer: must end as RE (SIGSEGV). */
#include <stdio.h>

int main(void) {
    int *volatile pointer = NULL;
    long long a, b;
    if (scanf("%lld %lld", &a, &b) != 2) return 1;
    *pointer = (int)(a + b);
    printf("%d\n", *pointer);
    return 0;
}
