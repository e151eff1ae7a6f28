using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Optimizer.Compiler.Tests.Support;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Benchmarks.Compiled;

/// <summary>
/// One LSTM layer (Silero VAD's: input 64, hidden 64, state in and out) at batch 1 over 64 time
/// steps, ONNX Runtime's LSTM (baseline; all graph optimizations, one thread) against the
/// compiled program (one projection Gemm + the Lstm kernel per direction, one thread), inputs and
/// outputs preallocated. Forward, and bidirectional.
/// </summary>
public class RecurrentVsOrtBenchmarks
{
    private const int Batch = 1, Seq = 64;

    private InferenceSession _session = null!;
    private SessionOptions _options = null!;
    private readonly RunOptions _runOptions = new();
    private OrtValue[] _ortInputs = [], _ortOutputs = [];
    private KernelProgram _program = null!;
    private KernelExecutor _executor = null!;
    private GCHandle[] _handles = [];
    private nint[] _inputs = [], _outputs = [];
    private long[] _symbols = [];

    [Params("forward", "bidirectional")]
    public string Direction { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var spec = new RecurrentLayerSpec("LSTM", Direction, Input: 64, Hidden: 64);
        var model = RecurrentModels.Build(spec);
        var inputs = RecurrentModels.Inputs(spec, Batch, Seq);
        _options = ModelVariants.CreateSessionOptions();
        _options.IntraOpNumThreads = 1;
        _session = new InferenceSession(Optimizer.Onnx.OnnxModelWriter.ToBytes(model), _options);
        _program = CompiledModels.Compile(model);
        KernelDispatch.MaxThreads = 1;
        _executor = new KernelExecutor(_program);
        _symbols = ProgramLayout.Bind(_program, inputs.Select(i => i.Shape.Select(d => (int)d).ToArray()).ToArray());
        var outputs = _program.Outputs.Select(o => new float[o.ElementCount(_symbols)]).ToArray();
        _ortInputs = inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Values, i.Shape)).ToArray();
        _ortOutputs = outputs.Select((o, k) => OrtValue.CreateTensorValueFromMemory(new float[o.Length],
            _program.Outputs[k].Dims.Select(d => d.Evaluate(_symbols)).ToArray())).ToArray();
        _handles = inputs.Select(i => (object)i.Values).Concat(outputs).Select(a => GCHandle.Alloc(a, GCHandleType.Pinned)).ToArray();
        _inputs = _handles.Take(inputs.Length).Select(h => h.AddrOfPinnedObject()).ToArray();
        _outputs = _handles.Skip(inputs.Length).Select(h => h.AddrOfPinnedObject()).ToArray();
        Console.WriteLine($"kernel paths: {KernelDispatch.Current}; steps: {string.Join(", ", _program.Steps.Select(s => s.Kind))}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var handle in _handles)
        {
            handle.Free();
        }

        _executor.Dispose();
        _program.Dispose();
        foreach (var value in _ortInputs.Concat(_ortOutputs))
        {
            value.Dispose();
        }

        _session.Dispose();
        _options.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void OnnxRuntime() => _session.Run(_runOptions, _session.InputNames, _ortInputs, _session.OutputNames, _ortOutputs);

    [Benchmark]
    public void CompiledKernels() => _executor.Run(_symbols, _inputs, _outputs);
}
