namespace Optimizer.Onnx;

/// <summary>
/// Where a user raises each load limit, in the words of every place that can (the CLI, the build, code):
/// the one text the refusals (OPT1101, OPT1116) quote, so they always name an option that exists.
/// </summary>
internal static class LimitAdvice
{
    public static string MaxModelBytes(long current) =>
        $"If the model is trusted, raise the limit ({current} bytes): onnx-opt --max-model-bytes <n> (or --trust-model), " +
        "the build property OptimizerMaxModelBytes (or OptimizerTrustModel=true), or ModelLoadLimits.MaxModelBytes in code. " +
        "A model past 2 GiB must keep its weights as external data.";

    public static string MaxExternalDataBytes(long current) =>
        $"If the model is trusted, raise the limit ({current} bytes): onnx-opt --max-external-data-bytes <n> (or --trust-model), " +
        "the build property OptimizerMaxExternalDataBytes (or OptimizerTrustModel=true), " +
        "or ModelLoadLimits.MaxExternalDataBytes in code.";
}
