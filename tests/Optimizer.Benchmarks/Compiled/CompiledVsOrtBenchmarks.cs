using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Benchmarks.Compiled;

/// <summary>
/// The same fp32 model run by ONNX Runtime (baseline; all graph optimizations, the thread count
/// of <see cref="ModelVariants.IntraOpThreads"/>) and by the compiled kernels (the interpreter
/// of the kernel program, same thread limit), at batch 1 and 64, inputs and outputs preallocated.
/// The <c>#StaticInt8</c> cases run the QDQ model of our static INT8 pass in both (ORT fuses it
/// into QLinearConv/QGemm; the compiler into QConv/QGemm).
/// </summary>
public class CompiledVsOrtBenchmarks
{
    private InferenceSession _session = null!;
    private SessionOptions _options = null!;
    private OrtValue _input = null!, _output = null!;
    private readonly RunOptions _runOptions = new();
    private KernelProgram _program = null!;
    private KernelExecutor _executor = null!;
    private float[] _inputData = null!, _outputData = null!;
    private GCHandle _inputHandle, _outputHandle;
    private nint[] _inputs = null!, _outputs = null!;
    private int _batch;
    private long[] _symbols = [];

    [ParamsSource(nameof(AllCases))]
    public string Case { get; set; } = "";

    public static IEnumerable<string> AllCases => CompiledModels.Cases;

    [GlobalSetup]
    public void Setup()
    {
        var parts = Case.Split('/');
        _batch = int.Parse(parts[1]);
        var model = CompiledModels.Load(parts[0]);
        var shape = CompiledModels.InputShape(model, _batch);
        _inputData = ModelBuilders.RandomInput((int)shape.Aggregate(1L, (a, b) => a * b), seed: 5);
        _options = ModelVariants.CreateSessionOptions();
        _session = new InferenceSession(Optimizer.Onnx.OnnxModelWriter.ToBytes(model), _options);
        _program = CompiledModels.Compile(model);
        KernelDispatch.MaxThreads = ModelVariants.IntraOpThreads;
        _executor = new KernelExecutor(_program);
        _symbols = ProgramLayout.Bind(_program, [shape.Select(d => checked((int)d)).ToArray()]);
        _outputData = new float[_program.Outputs[0].ElementCount(_symbols)];
        _input = OrtValue.CreateTensorValueFromMemory(_inputData, shape);
        var outputShape = _session.OutputMetadata.Values.First().Dimensions.Select(d => d < 0 ? (long)_batch : d).ToArray();
        _output = OrtValue.CreateTensorValueFromMemory(new float[_outputData.Length], outputShape);
        _inputHandle = GCHandle.Alloc(_inputData, GCHandleType.Pinned);
        _outputHandle = GCHandle.Alloc(_outputData, GCHandleType.Pinned);
        _inputs = [_inputHandle.AddrOfPinnedObject()];
        _outputs = [_outputHandle.AddrOfPinnedObject()];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _inputHandle.Free();
        _outputHandle.Free();
        _executor.Dispose();
        _program.Dispose();
        _input.Dispose();
        _output.Dispose();
        _session.Dispose();
        _options.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void OnnxRuntime() => _session.Run(_runOptions, [_session.InputNames[0]], [_input], [_session.OutputNames[0]], [_output]);

    [Benchmark]
    public void CompiledKernels() => _executor.Run(_symbols, _inputs, _outputs);
}
