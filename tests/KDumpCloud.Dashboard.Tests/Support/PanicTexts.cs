namespace KDumpCloud.Dashboard.Tests.Support;

/// <summary>Panic logs of this project's own writing, in the Intel text form a Mac writes.</summary>
public static class PanicTexts
{
    /// <summary>What a hostile or unlucky panic message may carry: markup and script that must reach the page as text.</summary>
    public const string Hostile = "<script>window.kdcPwned=1</script><img src=x onerror='window.kdcPwned=2'></pre><b>bold</b> & \"quoted\"";

    /// <summary>A panic whose message is <paramref name="message"/>; <paramref name="boot"/> varies every per-boot value.</summary>
    public static string Intel(string message, int boot, string build = "19E287") => $$"""
        panic(cpu {{boot % 4}} caller 0xffffff80{{boot:x2}}4a2b3c): "{{message}}: gave up waiting for the device at 0x{{boot * 4096:x}} (status {{boot}})"@/Library/Caches/com.apple.xbs/Sources/Driver/Driver.cpp:{{400 + boot}}
        Backtrace (CPU {{boot % 4}}), Frame : Return Address
        0xffffff81f0b1bc90 : 0xffffff80{{boot:x2}}4a2b3c
        0xffffff81f0b1bcf0 : 0xffffff7f8{{boot:x1}}123456
              Kernel Extensions in backtrace:
                 com.example.driver.test(1.0)[5D8E3C4A-1B2C-3D4E-8F90-0A1B2C3D4E5F]@0xffffff7f8{{boot:x1}}100000->0xffffff7f8{{boot:x1}}1fffff

        BSD process name corresponding to current thread: kernel_task

        Mac OS version:
        {{build}}

        Kernel version:
        Darwin Kernel Version 19.4.0: Wed Mar  4 22:28:40 PST 2020; root:xnu-6153.101.6~15/RELEASE_X86_64
        Kernel slide:     0x000000000{{boot:x1}}a00000
        System model name: MacBookPro15,1 (Mac-937A206F2EE63C01)
        """;
}
