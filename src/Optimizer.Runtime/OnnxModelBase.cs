using System.ComponentModel;
using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using Optimizer.Runtime.Compiled;
using Optimizer.Runtime.Telemetry;

namespace Optimizer.Runtime;

/// <summary>
/// The base of every class generated for an <see cref="OnnxModelAttribute"/>: loads the optimized
/// model embedded in the class's assembly (or, for large models, stored as files beside the app) and runs it the way <see cref="ExecutionPath"/> says: an
/// ONNX Runtime session on the chosen execution provider, or the compiled C# kernels the build
/// embedded when every op of the model is covered by them.
/// </summary>
/// <remarks>
/// <para>
/// Thread safety: <c>Run</c> may be called from several threads at once on one instance (ONNX
/// Runtime sessions are thread-safe for running, and each call uses its own binding buffers).
/// <see cref="Dispose()"/> must not race with a call in progress.
/// </para>
/// <para>Dispose the instance to release the native session; any later call throws <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public abstract class OnnxModelBase : IDisposable
{
    private RunBuffers? _spareBuffers;
    private CallerBuffers? _callerBuffers;
    private readonly Lazy<IReadOnlyDictionary<string, string>> _metadataProps;
    private readonly Lazy<IReadOnlyList<string>?> _labels;
    private volatile bool _disposed;

    /// <summary>Loads the embedded model described by <paramref name="metadata"/> and creates its session.</summary>
    /// <param name="metadata">The model's resource name, inputs and outputs, as generated.</param>
    /// <param name="resourceAssembly">The assembly the optimized model is embedded in (the generated class's).</param>
    /// <param name="options">Execution target and session settings; <see langword="null"/> for the defaults (CPU).</param>
    /// <exception cref="InvalidOperationException">
    /// The model is not embedded or does not match <paramref name="metadata"/> (rebuild the project),
    /// or the requested target is unavailable and <see cref="ModelOptions.AllowFallback"/> is off.
    /// </exception>
    /// <exception cref="FileNotFoundException">
    /// The build stored the model as files beside the app (<see cref="ModelMetadata.ModelFile"/>) and it is not in the
    /// app's base directory or <see cref="ModelOptions.ModelDirectory"/>; the message names the file and the folder.
    /// </exception>
    protected OnnxModelBase(ModelMetadata metadata, Assembly resourceAssembly, ModelOptions? options)
    {
        Description = metadata ?? throw new ArgumentNullException(nameof(metadata));
        ArgumentNullException.ThrowIfNull(resourceAssembly);
        options ??= new ModelOptions();
        var store = ModelStore.For(metadata, resourceAssembly, options);
        _metadataProps = new(() => OnnxMetadataProps.Read(store.ReadModel()));
        _labels = new(() => ModelLabels.From(_metadataProps.Value));
        InputNames = metadata.Inputs.Select(i => i.Name).ToArray();
        OutputNames = metadata.Outputs.Select(o => o.Name).ToArray();

        // Forcing the compiled kernels never loads ONNX Runtime's native library.
        bool hasCompiled = CompiledModel.IsAvailable(store, metadata);
        bool compiledFirst = options.Path == ExecutionPathKind.Compiled && hasCompiled;
        var environment = new ExecutionEnvironment(
            compiledFirst ? null : OrtAvailability.Providers,
            compiledFirst ? "ONNX Runtime not loaded: ModelOptions.Path is Compiled" : OrtAvailability.Reason,
            ExecutionEnvironment.CurrentOs(),
            CpuFeatures.Detect(),
            hasCompiled,
            metadata.NotCompiledOperators,
            metadata.AutoPath);
        ExecutionPlan plan = ExecutionSelector.Select(environment, options);

        var failures = new List<string>();
        foreach (ExecutionCandidate candidate in plan.Candidates)
        {
            if (candidate.Kind == ExecutionPathKind.Compiled)
            {
                try
                {
                    Compiled = CompiledModel.Load(store, metadata, options.Variant);
                }
                catch (InvalidOperationException ex)
                {
                    failures.Add($"Compiled: {ex.Message}");
                    continue;
                }

                ExecutionTarget = ExecutionTarget.Cpu;
                ExecutionProvider = "Compiled";
                ExecutionPath = new ExecutionPath(ExecutionPathKind.Compiled, null, KernelDispatch.Current.ToString(), Compiled.Variant) { Schedule = Compiled.Schedule, Reason = Compiled.VariantReason is { } why ? $"{candidate.Reason}; {Compiled.Variant}: {why}" : candidate.Reason };
                break;
            }

            InferenceSession session;
            try
            {
                session = store.CreateSession(options, candidate.Target);
            }
            catch (Exception ex) when (candidate.Target != ExecutionTarget.Cpu && ExecutionProviders.IsStartFailure(ex))
            {
                failures.Add($"{candidate.Target}: {candidate.Provider} failed to start ({ex.Message.Trim()}); {candidate.Reason}");
                continue;
            }

            try
            {
                EnsureSessionMatches(metadata, session);
                OutputPlan = OutputAllocationPlan.TryCreate(session, InputNames, OutputNames);
                RunOptions = new RunOptions();
            }
            catch
            {
                session.Dispose();
                throw;
            }

            Session = session;
            ExecutionTarget = candidate.Target;
            ExecutionProvider = candidate.Provider!;
            ExecutionPath = new ExecutionPath(ExecutionPathKind.OnnxRuntime, candidate.Provider, null) { Reason = candidate.Reason };
            break;
        }

        if (ExecutionPath is null)
        {
            throw new InvalidOperationException(ExecutionSelector.DescribeFailure(metadata.Name, options, plan, failures));
        }

        ExecutionProvider ??= ExecutionSelector.CpuProvider;
        Instrumentation = new ModelInstrumentation(metadata, ExecutionPath);
        FallbackReason = ExecutionSelector.DescribeFallback(options, plan, failures, ExecutionPath);
    }

    /// <summary>Where the model runs: <see cref="ExecutionTarget.Cpu"/> or the provider that was requested and available (the compiled kernels run on the CPU).</summary>
    public ExecutionTarget ExecutionTarget { get; }

    /// <summary>The ONNX Runtime execution provider running the model, e.g. <c>CPUExecutionProvider</c>; <c>Compiled</c> on the compiled kernels.</summary>
    public string ExecutionProvider { get; }

    /// <summary>
    /// How the model runs: ONNX Runtime with which provider, or the compiled C# kernels with which
    /// instruction-set paths (e.g. <c>Compiled(fp32 gemm: Avx2Fma, int8 gemm: Avx2, elementwise: Vector256)</c>).
    /// Force one with <see cref="ModelOptions.Path"/>.
    /// </summary>
    public ExecutionPath ExecutionPath { get; }

    /// <summary>
    /// Why the model does not run where asked (for example, the loaded ONNX Runtime build has no
    /// CUDA provider, or ONNX Runtime's native library is absent and the compiled kernels run), or
    /// <see langword="null"/> when it runs where asked.
    /// </summary>
    public string? FallbackReason { get; }

    /// <summary>The model's ONNX <c>metadata_props</c> (key/value strings such as <c>labels</c>), read from the embedded model on first use.</summary>
    public IReadOnlyDictionary<string, string> MetadataProps => _metadataProps.Value;

    /// <summary>
    /// The class names from the model's <c>labels</c> metadata (a JSON array of strings, or a list
    /// separated by new lines or commas), or <see langword="null"/> when it carries none; pass them to
    /// <see cref="ClassificationExtensions.TopK"/>.
    /// </summary>
    public IReadOnlyList<string>? Labels => _labels.Value;

    internal ModelMetadata Description { get; }

    /// <summary>What this instance reports per run while a listener is attached (<see cref="OptimizerTelemetry"/>).</summary>
    internal ModelInstrumentation Instrumentation { get; }

    internal InferenceSession? Session { get; }

    internal RunOptions? RunOptions { get; }

    internal CompiledModel? Compiled { get; }

    internal string[] InputNames { get; }

    internal string[] OutputNames { get; }

    internal OutputAllocationPlan? OutputPlan { get; }

    internal bool PreallocationFailed { get; set; }

    /// <summary>Releases the ONNX Runtime session. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts one call: bind the inputs, execute, read the outputs, then dispose the run.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected ModelRun BeginRun()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RunBuffers buffers = Interlocked.Exchange(ref _spareBuffers, null) ?? new RunBuffers(InputNames.Length, OutputNames.Length);
        return new ModelRun(this, buffers);
    }

    /// <summary>
    /// Starts one call that writes into the caller's output tensors (<c>Run(input, output)</c>). When
    /// <paramref name="input"/> and <paramref name="output"/> are the objects the previous such call
    /// used, their tensors are still bound (<see cref="ModelRun.IsBound"/>) and the call allocates nothing.
    /// </summary>
    /// <param name="input">The generated <c>Input</c> object (its tensors cannot change).</param>
    /// <param name="output">The generated <c>Output</c> object whose tensors receive the results.</param>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected ModelRun BeginRun(object input, object output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        CallerBuffers? bound = Interlocked.Exchange(ref _callerBuffers, null);
        if (bound is not null && !bound.IsFor(input, output))
        {
            bound.Dispose();
            bound = null;
        }

        return new ModelRun(this, bound ?? new CallerBuffers(this, input, output));
    }

    /// <summary>Releases the session when <paramref name="disposing"/>; override to release more.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (disposing)
        {
            Interlocked.Exchange(ref _callerBuffers, null)?.Dispose();
            RunOptions?.Dispose();
            Session?.Dispose();
            Compiled?.Dispose();
        }
    }

    internal void ReturnBuffers(RunBuffers buffers) => Volatile.Write(ref _spareBuffers, buffers);

    /// <summary>Keeps the last bound caller buffers for the next call (a concurrent call's set is released).</summary>
    internal void ReturnCallerBuffers(CallerBuffers buffers)
    {
        Interlocked.Exchange(ref _callerBuffers, buffers)?.Dispose();
        if (_disposed)
        {
            Interlocked.Exchange(ref _callerBuffers, null)?.Dispose();
        }
    }

    private static void EnsureSessionMatches(ModelMetadata metadata, InferenceSession session)
    {
        bool inputsMatch = metadata.Inputs.All(i => session.InputMetadata.ContainsKey(i.Name));
        bool outputsMatch = metadata.Outputs.All(o => session.OutputMetadata.ContainsKey(o.Name));
        if (!inputsMatch || !outputsMatch)
        {
            throw new InvalidOperationException(
                $"The embedded model for '{metadata.Name}' has inputs [{string.Join(", ", session.InputMetadata.Keys)}] and outputs [{string.Join(", ", session.OutputMetadata.Keys)}], " +
                $"but the generated class expects inputs [{string.Join(", ", metadata.Inputs.Select(i => i.Name))}] and outputs [{string.Join(", ", metadata.Outputs.Select(o => o.Name))}]. Rebuild the project so the model and the generated class come from the same build.");
        }
    }
}
