// Allocates and touches 2 GiB in 64 MiB steps (limit is 256 MiB): must end as MLE.
#include <cstdio>
#include <cstring>
#include <vector>

int main() {
    long long a, b;
    if (std::scanf("%lld %lld", &a, &b) != 2) return 1;
    const std::size_t chunk = 64u << 20;
    std::vector<char *> blocks;
    unsigned long long checksum = 0;
    for (int i = 0; i < 32; ++i) {
        char *block = new char[chunk];
        std::memset(block, i + 1, chunk);
        blocks.push_back(block);
        checksum += static_cast<unsigned char>(block[chunk / 2]);
    }
    std::printf("%lld\n", a + b + static_cast<long long>(checksum % 2));
    return 0;
}
