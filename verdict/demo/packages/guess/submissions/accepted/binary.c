/* Binary search over 1..1000: at most 10 guesses. */
#include <stdio.h>
#include <string.h>

int main(void) {
    int low = 1, high = 1000;
    char answer[32];
    for (;;) {
        int guess = (low + high) / 2;
        printf("%d\n", guess);
        fflush(stdout);
        if (scanf("%31s", answer) != 1) return 0;
        if (strcmp(answer, "correct") == 0) return 0;
        if (strcmp(answer, "lower") == 0) high = guess - 1;
        else low = guess + 1;
    }
}
