using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Runtime;

/// <summary>
/// Creates an ONNX Runtime session on one execution target; which targets to try, in which order,
/// is <see cref="ExecutionSelector"/>'s choice.
/// </summary>
internal static class ExecutionProviders
{
    /// <summary>Whether <paramref name="ex"/> means "this provider cannot start here" (fall back) rather than a bug.</summary>
    public static bool IsStartFailure(Exception ex) =>
        ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or NotSupportedException or TypeInitializationException;

    /// <summary>Creates the session; throws what ONNX Runtime throws when the provider cannot start.</summary>
    public static InferenceSession CreateSession(byte[] model, ModelOptions options, ExecutionTarget target)
    {
        // The session copies what it needs from the options, so they can go once it exists.
        using SessionOptions sessionOptions = SessionOptionsFor(options, target);
        return new InferenceSession(model, sessionOptions);
    }

    /// <summary>A session on the model file at <paramref name="modelPath"/>: its ONNX external data is read from beside it.</summary>
    public static InferenceSession CreateSession(string modelPath, ModelOptions options, ExecutionTarget target)
    {
        using SessionOptions sessionOptions = SessionOptionsFor(options, target);
        return new InferenceSession(modelPath, sessionOptions);
    }

    private static SessionOptions SessionOptionsFor(ModelOptions options, ExecutionTarget target)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.GraphOptimization switch
            {
                GraphOptimization.Disabled => GraphOptimizationLevel.ORT_DISABLE_ALL,
                GraphOptimization.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                GraphOptimization.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
        };
        try
        {
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
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }

        return sessionOptions;
    }
}
