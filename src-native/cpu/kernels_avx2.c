#define TANDEM_AVX512 0
#include "x86.inc"
