/* Start-up on qemu-system-xtensa -M sim -cpu lx106 (call0 ABI), as the
 * loader stub's harness does: QEMU starts at the reset vector 0x50000000,
 * a stub there jumps to _start; any exception ends the run with exit
 * status 100 + EXCCAUSE (reset PS has EXCM set, so all of them arrive at
 * the double-exception vector). */
#define SEMI_EXIT 1

        .section .reset.text, "ax"
        .global _reset
_reset:
        j       1f
        .align  4
.Lentry:
        .word   _start
1:      l32r    a0, .Lentry
        jx      a0

        .section .vectors.text, "ax"
        .global _vectors
_vectors:
        .org    0x10
        j       _trap
        .org    0x20
        j       _trap
        .org    0x30
        j       _trap
        .org    0x50
        j       _trap
        .org    0x70
        j       _trap

        .section .trap.text, "ax"
        .align  4
_trap:
        rsr     a3, EXCCAUSE
        addi    a3, a3, 100
        movi    a2, SEMI_EXIT
        simcall
1:      j       1b

        .section .entry.text, "ax"
        .global _start
        .type   _start, @function
        .align  4
_start:
        movi    a1, _stack_top
        movi    a2, _bss_start
        movi    a3, _bss_end
        movi    a4, 0
1:      bgeu    a2, a3, 2f
        s32i    a4, a2, 0
        addi    a2, a2, 4
        j       1b
2:      movi    a0, main
        callx0  a0
        mov     a3, a2                  /* exit status = main's result */
        movi    a2, SEMI_EXIT
        simcall
3:      j       3b
        .size   _start, . - _start
