namespace Optimizer.Runtime;

/// <summary>The operating systems the provider rules distinguish.</summary>
internal enum OperatingSystemKind
{
    Linux,
    Windows,
    MacOS,
    IOS,
    Android,
    Other,
}

/// <summary>Everything the path selection depends on besides the user's options: a plain value, so the selection is a pure function of it.</summary>
/// <param name="OrtProviders">The loaded ONNX Runtime build's execution providers; null when its native library cannot be loaded.</param>
/// <param name="OrtUnavailableReason">Why <paramref name="OrtProviders"/> is null.</param>
/// <param name="Os">The operating system.</param>
/// <param name="Cpu">The CPU's instruction sets.</param>
/// <param name="HasCompiledProgram">Whether the build embedded compiled kernels for this model.</param>
/// <param name="NotCompiledOperators">When it did not: the operators the kernel set lacks (from the build), for the message.</param>
/// <param name="BuildChoice">When the build timed the compiled kernels faster than ONNX Runtime on its machine (<see cref="ModelMetadata.AutoPath"/>).</param>
internal sealed record ExecutionEnvironment(
    IReadOnlyList<string>? OrtProviders,
    string? OrtUnavailableReason,
    OperatingSystemKind Os,
    CpuFeatures Cpu,
    bool HasCompiledProgram,
    IReadOnlyList<string>? NotCompiledOperators = null,
    AutoPathChoice? BuildChoice = null)
{
    public static OperatingSystemKind CurrentOs() =>
        OperatingSystem.IsWindows() ? OperatingSystemKind.Windows
        : OperatingSystem.IsIOS() ? OperatingSystemKind.IOS
        : OperatingSystem.IsMacOS() || OperatingSystem.IsMacCatalyst() ? OperatingSystemKind.MacOS
        : OperatingSystem.IsAndroid() ? OperatingSystemKind.Android
        : OperatingSystem.IsLinux() ? OperatingSystemKind.Linux
        : OperatingSystemKind.Other;
}
