/* Wine 8.0 (Debian 12) has no bcryptprimitives.dll, whose ProcessPrng Rust's std on Windows
   calls for random bytes (HashMap seeds, temporary file names). This stand-in, used only in the
   test prefix, fills the buffer from RtlGenRandom (advapi32's SystemFunction036). */
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
