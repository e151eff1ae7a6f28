using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Supervision;

namespace Optimizer.Engine.Verification;

/// <summary>
/// Nothing ONNX Runtime cannot load is shipped: the input model is checked before any pass runs
/// (so a model ORT rejects, such as opset 9999, an unknown operator or a MatMul whose shapes do
/// not fit, is reported as such instead of "optimized" with a warning), and the optimized model
/// before it is written (a pass that produced something ORT rejects fails the build rather than
/// the app at run time). The check is what the generated class does first: create a session with
/// the CPU provider and default options (graph optimizations included, so constant folding and
/// shape checks run). No inference. Each distinct model (by SHA-256 of its bytes) is checked once
/// per process.
/// </summary>
internal static class OnnxRuntimeLoadCheck
{
    // SHA-256 of the model bytes → null when ORT loads it, else ORT's message.
    private static readonly ConcurrentDictionary<string, string?> Checked = new(StringComparer.Ordinal);

    /// <summary>Checks the model the user declared, from its file (ORT then finds its external data beside it).</summary>
    /// <param name="fullPath">The model file, already read and checked by the loader.</param>
    /// <param name="modelBytes">Its bytes: what identifies it for the once-per-model cache.</param>
    /// <param name="modelPath">The path as declared, for the message.</param>
    /// <exception cref="EngineException"><see cref="EngineErrorCodes.InputModelNotRunnable"/>.</exception>
    public static void Input(string fullPath, byte[] modelBytes, string modelPath, DiagnosticLocation? at)
    {
        // Graph resolution, type and shape checks without ORT's own graph optimizations: those cost seconds
        // on large graphs and run again on the optimized model (whose failures are traced back to the input).
        if (Problem(modelBytes, "checking that ONNX Runtime can load the input model", options => new InferenceSession(fullPath, options),
                GraphOptimizationLevel.ORT_DISABLE_ALL) is { } problem)
        {
            throw InputNotRunnable(modelPath, "ONNX Runtime cannot load it: " + problem, at);
        }
    }

    /// <summary>Checks the model about to be written.</summary>
    /// <exception cref="EngineException"><see cref="EngineErrorCodes.OptimizedModelNotRunnable"/>.</exception>
    public static void Optimized(byte[] modelBytes, DiagnosticLocation? at)
    {
        if (Problem(modelBytes, "checking that ONNX Runtime can load the optimized model", options => new InferenceSession(modelBytes, options),
                GraphOptimizationLevel.ORT_ENABLE_ALL) is { } problem)
        {
            throw OptimizedNotRunnable("ONNX Runtime cannot load the optimized model: " + problem, at);
        }
    }

    /// <summary>Records that ONNX Runtime created a session for these bytes elsewhere (verification), so the check need not create another.</summary>
    public static void Loaded(byte[] modelBytes) => Checked.TryAdd(Convert.ToHexStringLower(SHA256.HashData(modelBytes)), null);

    /// <summary>True when these bytes were checked (or verified) and ONNX Runtime loaded them; a second check creates no session.</summary>
    public static bool IsKnownLoadable(byte[] modelBytes) =>
        Checked.TryGetValue(Convert.ToHexStringLower(SHA256.HashData(modelBytes)), out var problem) && problem is null;

    /// <summary>OPT1069 for the input model; <paramref name="problem"/> says what ONNX Runtime could not do ("ONNX Runtime cannot load it: …").</summary>
    public static EngineException InputNotRunnable(string modelPath, string problem, DiagnosticLocation? at) =>
        new(EngineErrorCodes.InputModelNotRunnable,
            $"The input model '{modelPath}' is not runnable by ONNX Runtime: {problem}. It cannot be optimized, verified or run by the generated class. Fix the export (its opset, operators, types and shapes; onnx.checker.check_model with full_check=True shows most such faults) or use another model.",
            at);

    /// <summary>OPT1068 for the optimized model; <paramref name="problem"/> starts "ONNX Runtime cannot load/run the optimized model…".</summary>
    public static EngineException OptimizedNotRunnable(string problem, DiagnosticLocation? at) =>
        new(EngineErrorCodes.OptimizedModelNotRunnable,
            $"{problem}; the generated class would fail at run time, so nothing was written. The input model runs, so a pass produced this: remove the passes one at a time to find it, and report it with the model.",
            at);

    private static string? Problem(byte[] modelBytes, string stage, Func<SessionOptions, InferenceSession> open, GraphOptimizationLevel level)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(modelBytes));
        if (Checked.TryGetValue(key, out var known))
        {
            return known;
        }

        EngineStage.Enter(stage);
        string? problem = null;
        try
        {
            // Otherwise default options, as the generated class creates its session; only the log is quieter
            // (ORT's own error lines would repeat the message on stderr).
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, GraphOptimizationLevel = level };
            using var session = open(options);
        }
        catch (OnnxRuntimeException e)
        {
            problem = e.Message.Trim().TrimEnd('.');
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            throw new EngineException(EngineErrorCodes.OnnxRuntimeUnavailable,
                $"ONNX Runtime's native library could not be loaded ({e.GetType().Name}: {(e.InnerException ?? e).Message.Trim()}), so the model cannot be checked; the app could not run it either. Reference Microsoft.ML.OnnxRuntime (Optimizer.Runtime brings it) and restore, on a platform ONNX Runtime supports.",
                null, e);
        }

        Checked[key] = problem;
        return problem;
    }
}
