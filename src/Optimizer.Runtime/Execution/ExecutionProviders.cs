using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Runtime;

/// <summary>
/// Creates the ONNX Runtime session on the requested execution target, falling back to the CPU
/// (and recording why) when that target's provider is missing from the loaded ONNX Runtime build
/// or fails to start.
/// </summary>
internal static class ExecutionProviders
{
    public const string Cpu = "CPUExecutionProvider";

    // Auto tries these in order; each must also be in the loaded build's provider list.
    private static readonly ExecutionTarget[] AutoOrder = [ExecutionTarget.Cuda, ExecutionTarget.DirectML, ExecutionTarget.CoreML];

    public static SessionChoice CreateSession(byte[] model, ModelOptions options, string modelName)
    {
        string[] available = OrtEnv.Instance().GetAvailableProviders();
        ExecutionTarget[] candidates = options.Target switch
        {
            ExecutionTarget.Cpu => [],
            ExecutionTarget.Auto => AutoOrder,
            _ => [options.Target],
        };

        var reasons = new List<string>();
        foreach (ExecutionTarget target in candidates)
        {
            string provider = ProviderName(target);
            if (Array.IndexOf(available, provider) < 0)
            {
                reasons.Add($"{target}: this ONNX Runtime build has no {provider} (it has {string.Join(", ", available)})");
                continue;
            }

            try
            {
                return new SessionChoice(CreateSession(model, options, target), target, provider, null);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                reasons.Add($"{target}: {provider} failed to start ({ex.Message.Trim()})");
            }
        }

        string? fallbackReason = reasons.Count == 0 ? null : string.Join("; ", reasons) + "; running on the CPU.";
        if (fallbackReason is not null && options.Target != ExecutionTarget.Auto && !options.AllowFallback)
        {
            throw new InvalidOperationException(
                $"Model '{modelName}' cannot run on {options.Target}: {string.Join("; ", reasons)}. Reference an ONNX Runtime package with that provider, or set ModelOptions.AllowFallback to run on the CPU.");
        }

        return new SessionChoice(CreateSession(model, options, ExecutionTarget.Cpu), ExecutionTarget.Cpu, Cpu, fallbackReason);
    }

    private static InferenceSession CreateSession(byte[] model, ModelOptions options, ExecutionTarget target)
    {
        // The session copies what it needs from the options, so they can go once it exists.
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.GraphOptimization switch
            {
                GraphOptimization.Disabled => GraphOptimizationLevel.ORT_DISABLE_ALL,
                GraphOptimization.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                GraphOptimization.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
        };
        if (options.IntraOpThreads is int threads)
        {
            sessionOptions.IntraOpNumThreads = threads >= 1
                ? threads
                : throw new ArgumentOutOfRangeException(nameof(options), threads, "ModelOptions.IntraOpThreads must be 1 or more (or null for ONNX Runtime's default).");
        }

        switch (target)
        {
            case ExecutionTarget.Cuda:
                sessionOptions.AppendExecutionProvider_CUDA(options.DeviceId);
                break;
            case ExecutionTarget.DirectML:
                sessionOptions.AppendExecutionProvider_DML(options.DeviceId);
                break;
            case ExecutionTarget.CoreML:
                sessionOptions.AppendExecutionProvider_CoreML(CoreMLFlags.COREML_FLAG_USE_NONE);
                break;
        }

        return new InferenceSession(model, sessionOptions);
    }

    private static string ProviderName(ExecutionTarget target) => target switch
    {
        ExecutionTarget.Cuda => "CUDAExecutionProvider",
        ExecutionTarget.DirectML => "DmlExecutionProvider",
        ExecutionTarget.CoreML => "CoreMLExecutionProvider",
        _ => Cpu,
    };
}

/// <summary>The session created and where it runs.</summary>
internal sealed record SessionChoice(InferenceSession Session, ExecutionTarget Target, string Provider, string? FallbackReason);
