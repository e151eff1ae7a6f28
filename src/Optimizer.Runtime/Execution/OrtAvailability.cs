using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Runtime;

/// <summary>
/// Whether ONNX Runtime's native library loads in this process and which providers it has. Asked
/// once: a native library that failed to load stays failed for the process.
/// </summary>
internal static class OrtAvailability
{
    private static readonly Lazy<(string[]? Providers, string? Reason)> Probe = new(Load);

    public static string[]? Providers => Probe.Value.Providers;

    public static string? Reason => Probe.Value.Reason;

    private static (string[]?, string?) Load()
    {
        try
        {
            return (OrtEnv.Instance().GetAvailableProviders(), null);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or TypeInitializationException or OnnxRuntimeException)
        {
            Exception root = ex;
            while (root is TypeInitializationException { InnerException: { } inner })
            {
                root = inner;
            }

            // The loader's message lists every path it tried, one per line: the first line says it.
            string first = root.Message.Trim().Split('\n')[0].Trim();
            return (null, $"ONNX Runtime's native library could not be loaded ({root.GetType().Name}: {first})");
        }
    }
}
