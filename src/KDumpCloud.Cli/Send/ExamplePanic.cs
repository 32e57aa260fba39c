using System.Text;

namespace KDumpCloud.Cli.Send;

/// <summary>
/// The panic log <c>kdumpcloud send --example-panic</c> sends: written for this project (not taken from a real Mac),
/// in the form an Intel Mac's kernel sends with debug bit 0x2000 (panic-formats.md §2: the x86_64 text body that
/// kdumpd stores as <c>paniclog-…</c>). It is a page fault in a made-up third-party driver,
/// <c>org.kdumpcloud.example.LabSensorDriver</c>, on macOS 15.5 (24F74, xnu-11417.121.6, the name <c>send</c> gives a
/// modern kernel), so a new relay shows a decoded, fingerprinted and grouped crash whose culprit says it is an example.
/// </summary>
internal static class ExamplePanic
{
    /// <summary>The bundle id the example blames; no real driver has it.</summary>
    public const string CulpritBundle = "org.kdumpcloud.example.LabSensorDriver";

    public const string Text = """
        panic(cpu 2 caller 0xffffff8009b4e6ad): Kernel trap at 0xffffff7f9c2e41d3, type 14=page fault, registers:
        CR0: 0x0000000080010033, CR2: 0x0000000000000028, CR3: 0x000000003a1c5000, CR4: 0x00000000003626e0
        RAX: 0x0000000000000000, RBX: 0xffffff86a7d13c00, RCX: 0x0000000000000001, RDX: 0x0000000000000010
        RSP: 0xffffffd06b3cbb40, RBP: 0xffffffd06b3cbb80, RSI: 0xffffff86a7d13c48, RDI: 0x0000000000000000
        R8:  0x0000000000000003, R9:  0xffffff86a5c47540, R10: 0x0000000000000000, R11: 0x0000000000000246
        R12: 0xffffff86a31e2e00, R13: 0x0000000000000004, R14: 0xffffff86a7d13c00, R15: 0x00000000e00002c0
        RFL: 0x0000000000010246, RIP: 0xffffff7f9c2e41d3, CS:  0x0000000000000008, SS:  0x0000000000000010
        Fault CR2: 0x0000000000000028, Error code: 0x0000000000000000, Fault CPU: 0x2, PL: 0, VF: 1

        Panicked task 0xffffff86a3b0e6a8: 212 threads: pid 0: kernel_task
        Backtrace (CPU 2), panicked thread: 0xffffff86a5c47540, Frame : Return Address
        0xffffffd06b3cb570 : 0xffffff8009a7de9d 
        0xffffffd06b3cb5c0 : 0xffffff8009be0556 
        0xffffffd06b3cb600 : 0xffffff8009bcf8c3 
        0xffffffd06b3cb650 : 0xffffff8009a1da70 
        0xffffffd06b3cb670 : 0xffffff8009a7e26d 
        0xffffffd06b3cb790 : 0xffffff8009a7da26 
        0xffffffd06b3cb7f0 : 0xffffff800a3145e3 
        0xffffffd06b3cb8e0 : 0xffffff8009b4e6ad 
        0xffffffd06b3cba70 : 0xffffff8009bcfb77 
        0xffffffd06b3cbac0 : 0xffffff8009a1dbe1 
        0xffffffd06b3cbb80 : 0xffffff7f9c2e41d3 
        0xffffffd06b3cbbd0 : 0xffffff7f9c2e5a0e 
        0xffffffd06b3cbc30 : 0xffffff7f9c2e2c91 
        0xffffffd06b3cbc80 : 0xffffff800a26c1b4 
        0xffffffd06b3cbcf0 : 0xffffff800a26b6f2 
        0xffffffd06b3cbd60 : 0xffffff8009ad0f15 
        0xffffffd06b3cbdd0 : 0xffffff8009ad1fe2 
        0xffffffd06b3cbfa0 : 0xffffff8009a1d19e 
              Kernel Extensions in backtrace:
                 org.kdumpcloud.example.LabSensorDriver(1.4.2)[6B1D52E0-3C8A-4F15-9E27-0D4A8C7B93F1]@0xffffff7f9c2e0000->0xffffff7f9c2f6fff
                    dependency: com.apple.iokit.IOPCIFamily(2.9)[2C0F7B54-8A61-3D29-B4E3-7F5C1A96D208]@0xffffff800b636000->0xffffff800b662fff
                    dependency: com.apple.iokit.IOACPIFamily(1.4)[9E4D2A17-5B3C-3F80-8C61-4A7E0B5D2F93]@0xffffff800b5f1000->0xffffff800b5f3fff

        Process name corresponding to current thread (0xffffff86a5c47540): kernel_task
        Boot args: debug=0xd44 _panicd_ip=10.0.40.2

        Mac OS version:
        24F74

        Kernel version:
        Darwin Kernel Version 24.5.0: Tue Apr 22 19:48:46 PDT 2025; root:xnu-11417.121.6~2/RELEASE_X86_64
        Kernel UUID: 3F6A0C1E-92B4-3D57-A8E0-5C7B19D4E263
        roots installed: 0
        KernelCache slide: 0x0000000009600000
        KernelCache base:  0xffffff8009800000
        Kernel slide:      0x0000000009610000
        Kernel text base:  0xffffff8009810000
        __HIB  text base: 0xffffff8009700000
        System model name: Macmini8,1 (Mac-7BA5B2DFE22DDD8C)
        System shutdown begun: NO
        Panic diags file available: YES (0x0)
        Hibernation exit count: 0

        System uptime in nanoseconds: 48213950172640
        Compressor Info: 2% of compressed pages limit (OK) and 1% of segments limit (OK) with 0 swapfiles and OK swap space

        last started kext at 47719204551263: org.kdumpcloud.example.LabSensorDriver	1.4.2 (addr 0xffffff7f9c2e0000, size 94208)
        loaded kexts:
        org.kdumpcloud.example.LabSensorDriver	1.4.2
        >AudioAUUC	1.70
        @filesystems.autofs	3.0
        >!AHDA	340.2
        |IOUserEthernet	1.0.1
        >usb.!UHostCompositeDevice	1.2
        |IOPCIFamily	2.9
        |IOACPIFamily	1.4
        @kec.corecrypto	14.0

        """;

    public static byte[] Utf8 => Encoding.UTF8.GetBytes(Text.ReplaceLineEndings("\n"));
}
