/* setjmp/longjmp for the call0 ABI (lx106): uzlib_inflate always leaves
 * through longjmp, and Lua errors unwind with it. Saves the return
 * address, the stack pointer and the callee-saved a12..a15. */
        .text
        .global setjmp
        .type   setjmp, @function
        .align  4
setjmp:
        s32i    a0, a2, 0
        s32i    a1, a2, 4
        s32i    a12, a2, 8
        s32i    a13, a2, 12
        s32i    a14, a2, 16
        s32i    a15, a2, 20
        movi    a2, 0
        ret
        .size   setjmp, . - setjmp

        .global longjmp
        .type   longjmp, @function
        .align  4
longjmp:
        l32i    a0, a2, 0
        l32i    a1, a2, 4
        l32i    a12, a2, 8
        l32i    a13, a2, 12
        l32i    a14, a2, 16
        l32i    a15, a2, 20
        bnez    a3, 1f
        movi    a3, 1           /* longjmp(env, 0) returns 1 */
1:      mov     a2, a3
        ret
        .size   longjmp, . - longjmp
