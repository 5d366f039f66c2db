#define TANDEM_AVX512 1
#include "x86.inc"
