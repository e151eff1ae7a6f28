using System.Linq;

namespace Optimizer.Build.Generator.Parser;

/// <summary>
/// The shapes of the manifest's tokens as the engine writes them (src/README.md). A manifest whose
/// token is outside its shape was not written by the engine, so the generator refuses it as malformed
/// rather than emit it; free text (tensor, dim and node names, the model path) is encoded instead.
/// </summary>
internal static class ManifestTokens
{
    /// <summary>Characters a resource name never holds: those no file name holds on every OS, quotes and backslashes.</summary>
    private const string NotInResourceNames = "\"\\/*<>|?:`";

    /// <summary>
    /// A resource name the engine writes: the output base name (a class name or a file name, after
    /// <c>Optimizer.Build.</c> in a build), then <c>.onnx</c> or <c>.kernels</c>; no control, format or
    /// line-separating character, and none of <see cref="NotInResourceNames"/>.
    /// </summary>
    public static bool IsResourceName(string name, string extension) =>
        name.EndsWith(extension, System.StringComparison.Ordinal)
        && name.Length > extension.Length
        && IsNameText(name);

    /// <summary>
    /// A model file stored beside the app (the manifest item's <c>OptimizerModelFile</c>): a relative
    /// path of '/'-separated names, each as a resource name's text and none <c>.</c> or <c>..</c> (so it
    /// cannot climb out of the folder it is resolved against), the last ending in <c>.onnx</c>.
    /// </summary>
    public static bool IsModelFile(string path)
    {
        string[] segments = path.Split('/');
        return IsResourceName(segments[segments.Length - 1], ".onnx")
            && segments.All(segment => segment.Length > 0 && segment != "." && segment != ".." && IsNameText(segment));
    }

    /// <summary>An element type name: lower-case ASCII letters and digits (<c>float32</c>, <c>unsupported</c>, …).</summary>
    public static bool IsElementType(string name) =>
        name.Length > 0 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9'));

    /// <summary>A kernel method name: an ASCII letter, then ASCII letters and digits (<c>Gemm</c>, <c>MaxPoolU8</c>).</summary>
    public static bool IsKernelName(string name) =>
        name.Length > 0 && IsAsciiLetter(name[0]) && name.All(c => IsAsciiLetter(c) || c is >= '0' and <= '9');

    /// <summary>A variant name or CPU requirement: ASCII letters, digits, <c>-</c>, <c>_</c> and <c>.</c> (<c>int8</c>, <c>int8-dot-product</c>).</summary>
    public static bool IsVariantToken(string name) =>
        name.Length > 0 && name.All(c => IsAsciiLetter(c) || c is (>= '0' and <= '9') or '-' or '_' or '.');

    /// <summary>A machine summary the engine records for <c>auto</c>: ASCII letters, digits, spaces and <c>+ - : ; ,</c> (<c>AVX2+FMA; fp32 gemm: Avx2Fma, …</c>).</summary>
    public static bool IsMachineSummary(string text) =>
        text.Length > 0 && text.All(c => IsAsciiLetter(c) || c is (>= '0' and <= '9') or ' ' or '+' or '-' or ':' or ';' or ',');

    /// <summary>Timed shapes: ASCII digits, <c>[ ] , ;</c> and spaces (<c>[1,16]; [1,128]</c>).</summary>
    public static bool IsShapeList(string text) =>
        text.Length > 0 && text.All(c => c is (>= '0' and <= '9') or '[' or ']' or ',' or ';' or ' ');

    /// <summary>On one line, none of <see cref="NotInResourceNames"/>, and no whitespace but spaces.</summary>
    private static bool IsNameText(string name) =>
        Emitter.SourceText.OneLine(name) == name
        && name.IndexOfAny(NotInResourceNames.ToCharArray()) < 0
        && name.All(c => c == ' ' || !char.IsWhiteSpace(c));

    private static bool IsAsciiLetter(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');
}
