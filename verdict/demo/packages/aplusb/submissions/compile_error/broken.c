/* Does not compile: missing semicolon and undeclared identifier. */
#include <stdio.h>

int main(void) {
    long long a, b
    scanf("%lld %lld", &a, &b);
    printf("%lld\n", a + b + undeclared_variable);
    return 0;
}
