// Which way a model runs: a pure function of (environment, options) → ordered candidates, each
// with why it is there, plus why every other way was left out. The runtime tries the candidates
// in order and records why each one that fails to start failed (OnnxModelBase).
// Rules:
// - GPU providers only when ModelOptions.Target asks: Cuda/DirectML/CoreML explicitly, or Auto
//   (CUDA, then DirectML on Windows, then CoreML on Apple systems), each only on an OS it exists
//   for. Auto takes a provider only when the loaded ONNX Runtime build lists it; an explicit
//   request of an unlisted provider is still tried, so ONNX Runtime itself says what is missing.
// - Then the CPU: ONNX Runtime's CPU provider, then the compiled kernels when the build embedded
//   them (Path=Auto). Auto puts the compiled kernels first only when the build timed them clearly
//   faster than ONNX Runtime (ModelMetadata.AutoPath) on a CPU with the same kernel paths as this
//   one, and no other variant is requested; elsewhere the build's timing says nothing, and ONNX
//   Runtime stays first. Without ONNX Runtime's native library (a NativeAOT app that does not ship
//   it) the compiled kernels are the path.
// - Path=Compiled puts the compiled kernels first (they run on the CPU: a GPU Target is noted and
//   ignored); Path=OnnxRuntime leaves them out.
// - AllowFallback keeps only what was asked for unless fallback is allowed: a GPU target falls back
//   to the CPU unless AllowFallback is false; Path=Compiled falls back to ONNX Runtime only when it is
//   true (asking for the compiled kernels and silently getting ONNX Runtime would hide why).

namespace Optimizer.Runtime;

/// <summary>One way to run the model, in the order to try.</summary>
/// <param name="Kind">ONNX Runtime or the compiled kernels.</param>
/// <param name="Target">The execution target (Cpu for the compiled kernels).</param>
/// <param name="Provider">The ONNX Runtime provider name; null for the compiled kernels.</param>
/// <param name="Reason">Why it is a candidate here.</param>
internal sealed record ExecutionCandidate(ExecutionPathKind Kind, ExecutionTarget Target, string? Provider, string Reason);

/// <summary>The candidates in order, and why every other way was left out.</summary>
internal sealed record ExecutionPlan(IReadOnlyList<ExecutionCandidate> Candidates, IReadOnlyList<string> LeftOut);

internal static class ExecutionSelector
{
    public const string CpuProvider = "CPUExecutionProvider";

    private static readonly ExecutionTarget[] AutoGpuOrder = [ExecutionTarget.Cuda, ExecutionTarget.DirectML, ExecutionTarget.CoreML];

    public static ExecutionPlan Select(ExecutionEnvironment environment, ModelOptions options)
    {
        var candidates = new List<ExecutionCandidate>();
        var leftOut = new List<string>();
        bool gpuRequested = options.Target is not (ExecutionTarget.Auto or ExecutionTarget.Cpu);

        if (options.Path == ExecutionPathKind.Compiled)
        {
            AddCompiled(environment, candidates, leftOut, "ModelOptions.Path is Compiled");
            if (gpuRequested)
            {
                leftOut.Add($"{options.Target}: not used, the compiled kernels run on the CPU (ModelOptions.Path is Compiled)");
            }

            if (options.AllowFallback == true)
            {
                AddOrtCpu(environment, candidates, leftOut, "fallback from the compiled kernels");
            }

            return new ExecutionPlan(candidates, leftOut);
        }

        ExecutionTarget[] gpus = options.Target switch
        {
            ExecutionTarget.Auto => AutoGpuOrder,
            ExecutionTarget.Cpu => [],
            _ => [options.Target],
        };
        foreach (ExecutionTarget target in gpus)
        {
            AddGpu(environment, target, explicitly: gpuRequested, candidates, leftOut);
        }

        if (gpuRequested && options.AllowFallback == false)
        {
            return new ExecutionPlan(candidates, leftOut);
        }

        string cpuReason = gpuRequested ? $"fallback from {options.Target}" : "ONNX Runtime on the CPU";
        if (options.Path != ExecutionPathKind.Auto)
        {
            AddOrtCpu(environment, candidates, leftOut, cpuReason);
            return new ExecutionPlan(candidates, leftOut);
        }

        string? mismatch = environment.BuildChoice?.Mismatch(environment.Cpu, options.Variant);
        if (environment.BuildChoice is { } faster && mismatch is null && environment.HasCompiledProgram)
        {
            AddCompiled(environment, candidates, leftOut, (gpuRequested ? $"fallback from {options.Target}: " : "") + faster.Reason());
            AddOrtCpu(environment, candidates, leftOut, "fallback from the compiled kernels");
            return new ExecutionPlan(candidates, leftOut);
        }

        AddOrtCpu(environment, candidates, leftOut, cpuReason);
        AddCompiled(environment, candidates, leftOut, environment.OrtProviders is null ? "ONNX Runtime is not available"
            : "fallback from ONNX Runtime" + (mismatch is null ? "" : $" ({mismatch})"));
        return new ExecutionPlan(candidates, leftOut);
    }

    /// <summary>
    /// Why the model does not run where asked, or null when it does: the candidates that failed to
    /// start and what was left out that the options asked for (a GPU target, or Path=Compiled).
    /// </summary>
    public static string? DescribeFallback(ModelOptions options, ExecutionPlan plan, IReadOnlyList<string> failures, ExecutionPath chosen)
    {
        var reasons = new List<string>(failures);
        bool compiledAsked = options.Path == ExecutionPathKind.Compiled;
        foreach (string entry in plan.LeftOut)
        {
            bool aboutCompiled = entry.StartsWith("Compiled:", StringComparison.Ordinal);
            bool aboutCpu = entry.StartsWith("Cpu:", StringComparison.Ordinal);
            bool relevant = aboutCompiled ? compiledAsked
                : aboutCpu ? chosen.Kind != ExecutionPathKind.OnnxRuntime && options.Path != ExecutionPathKind.Compiled
                : options.Target != ExecutionTarget.Cpu;
            if (relevant)
            {
                reasons.Add(entry);
            }
        }

        bool whereAsked = chosen.Kind == ExecutionPathKind.Compiled ? compiledAsked
            : !compiledAsked && (options.Target == ExecutionTarget.Auto || chosen.Provider == ProviderName(options.Target));
        if (reasons.Count == 0 || (whereAsked && failures.Count == 0 && options.Target != ExecutionTarget.Auto))
        {
            return null;
        }

        string running = chosen.Kind == ExecutionPathKind.Compiled ? "the compiled kernels"
            : chosen.Provider == CpuProvider ? "the CPU" : chosen.Provider!;
        return $"{string.Join("; ", reasons)}; running on {running}.";
    }

    /// <summary>The message when no candidate could start.</summary>
    public static string DescribeFailure(string modelName, ModelOptions options, ExecutionPlan plan, IReadOnlyList<string> failures)
    {
        bool gpu = options.Target is not (ExecutionTarget.Auto or ExecutionTarget.Cpu);
        string asked = options.Path == ExecutionPathKind.Compiled ? "the compiled kernels" : gpu ? options.Target.ToString() : "ONNX Runtime";
        string why = string.Join("; ", failures.Concat(plan.LeftOut));
        string what = options.Path == ExecutionPathKind.Compiled
            ? "Rebuild so the compiled kernels are embedded (every op of the model must be covered), or set ModelOptions.AllowFallback = true to run on ONNX Runtime."
            : gpu && options.AllowFallback == false
                ? "Reference an ONNX Runtime package with that provider, or set ModelOptions.AllowFallback to run on the CPU."
                : "Ship ONNX Runtime's native library with the app (the Microsoft.ML.OnnxRuntime package), or use the compiled kernels (ModelOptions.Path = Auto or Compiled) for a model they cover.";
        return $"Model '{modelName}' cannot run on {asked}: {why}. {what}";
    }

    public static string ProviderName(ExecutionTarget target) => target switch
    {
        ExecutionTarget.Cuda => "CUDAExecutionProvider",
        ExecutionTarget.DirectML => "DmlExecutionProvider",
        ExecutionTarget.CoreML => "CoreMLExecutionProvider",
        _ => CpuProvider,
    };

    private static void AddGpu(ExecutionEnvironment environment, ExecutionTarget target, bool explicitly, List<ExecutionCandidate> candidates, List<string> leftOut)
    {
        string provider = ProviderName(target);
        if (OsProblem(target, environment.Os) is { } problem)
        {
            leftOut.Add($"{target}: {problem}");
            return;
        }

        if (environment.OrtProviders is not { } available)
        {
            leftOut.Add($"{target}: {environment.OrtUnavailableReason ?? "ONNX Runtime is not available"}");
            return;
        }

        if (available.Contains(provider))
        {
            candidates.Add(new ExecutionCandidate(ExecutionPathKind.OnnxRuntime, target, provider, explicitly ? $"{target} requested" : $"{provider} is in this ONNX Runtime build"));
            return;
        }

        string missing = $"this ONNX Runtime build has no {provider} (it has {string.Join(", ", available)})";
        if (explicitly)
        {
            candidates.Add(new ExecutionCandidate(ExecutionPathKind.OnnxRuntime, target, provider, $"{target} requested; {missing}, so starting it will say what is missing"));
        }
        else
        {
            leftOut.Add($"{target}: {missing}");
        }
    }

    private static string? OsProblem(ExecutionTarget target, OperatingSystemKind os) => target switch
    {
        ExecutionTarget.DirectML when os != OperatingSystemKind.Windows => $"DirectML exists only on Windows, not {os}",
        ExecutionTarget.CoreML when os is not (OperatingSystemKind.MacOS or OperatingSystemKind.IOS) => $"CoreML exists only on macOS and iOS, not {os}",
        ExecutionTarget.Cuda when os is OperatingSystemKind.MacOS or OperatingSystemKind.IOS => $"CUDA does not exist on {os}",
        _ => null,
    };

    private static void AddOrtCpu(ExecutionEnvironment environment, List<ExecutionCandidate> candidates, List<string> leftOut, string reason)
    {
        if (environment.OrtProviders is null)
        {
            leftOut.Add($"Cpu: {environment.OrtUnavailableReason ?? "ONNX Runtime is not available"}");
            return;
        }

        candidates.Add(new ExecutionCandidate(ExecutionPathKind.OnnxRuntime, ExecutionTarget.Cpu, CpuProvider, reason));
    }

    private static void AddCompiled(ExecutionEnvironment environment, List<ExecutionCandidate> candidates, List<string> leftOut, string reason)
    {
        if (!environment.HasCompiledProgram)
        {
            leftOut.Add(environment.NotCompiledOperators is { Count: > 0 } missing
                ? $"Compiled: the build embedded no compiled kernels for this model (the kernel set lacks {string.Join(", ", missing)} as this model uses them; the build report lists each node)"
                : "Compiled: the build embedded no compiled kernels for this model (an op they do not cover; the build report lists it)");
            return;
        }

        string simd = environment.Cpu.HasSimd ? $"on {environment.Cpu}" : "without SIMD on this CPU: scalar C#";
        candidates.Add(new ExecutionCandidate(ExecutionPathKind.Compiled, ExecutionTarget.Cpu, null, $"{reason}; compiled kernels {simd}"));
    }
}
