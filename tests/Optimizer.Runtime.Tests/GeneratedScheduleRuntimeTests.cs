using System.Reflection;
using System.Runtime.InteropServices;
using Optimizer.Compiler;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// How the runtime runs a generated kernel schedule (ModelMetadata.CompiledSchedule): in place of
/// the interpreter when it was generated from the embedded program, never with another program,
/// and without allocating per call. The schedule here is written as the generator writes it for
/// digits_mlp (three Gemm calls); the generator's tests run the generator's own output.
/// </summary>
public class GeneratedScheduleRuntimeTests
{
    private static readonly Lazy<byte[]> ProgramBytes = new(() =>
        KernelCompiler.Compile(OnnxModelLoader.Load(SharedData.PathOf("models/digits_mlp.onnx"))).Program!.ToBytes());

    private static int calls;

    [ConditionalFact("data")]
    public void A_matching_schedule_runs_instead_of_the_interpreter_with_the_same_bits()
    {
        float[] images = SharedData.ReadFloats("digits/digits_test_x_450x64.f32");
        using var interpreted = Model(schedule: null);
        using var generated = Model(new GeneratedSchedule(3, ProgramBytes.Value.Length, DigitsMlpSchedule));

        int before = calls;
        float[] expected = interpreted.Run(new ModelTensor<float>(images, 450, 1, 8, 8)).Span.ToArray();
        float[] actual = generated.Run(new ModelTensor<float>(images, 450, 1, 8, 8)).Span.ToArray();

        Assert.Equal("interpreter", interpreted.ExecutionPath.Schedule);
        Assert.Equal("generated", generated.ExecutionPath.Schedule);
        Assert.StartsWith("Compiled(generated; ", generated.ExecutionPath.ToString());
        Assert.Equal(before + 1, calls);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
    }

    [ConditionalTheory("data")]
    [InlineData(4, 0)]
    [InlineData(3, 1)]
    public void A_schedule_from_another_program_is_not_run(int steps, long sizeDelta)
    {
        using var model = Model(new GeneratedSchedule(steps, ProgramBytes.Value.Length + sizeDelta, DigitsMlpSchedule));
        int before = calls;

        model.Run(ModelTensor<float>.Zeros(2, 1, 8, 8));

        Assert.Equal("interpreter", model.ExecutionPath.Schedule);
        Assert.Equal(before, calls);
    }

    /// <summary>Batch 1: the kernels themselves stay on the caller's thread there (larger calls may split work with Parallel.For).</summary>
    [ConditionalTheory("data")]
    [InlineData(true)]
    [InlineData(false)]
    public void Calls_at_a_stable_batch_size_allocate_nothing(bool generated)
    {
        using var model = Model(generated ? new GeneratedSchedule(3, ProgramBytes.Value.Length, DigitsMlpSchedule) : null);
        var input = new float[64];
        var output = new float[10];
        var pins = new[] { GCHandle.Alloc(input, GCHandleType.Pinned), GCHandle.Alloc(output, GCHandleType.Pinned) };
        try
        {
            nint[] inputs = [pins[0].AddrOfPinnedObject()];
            nint[] outputs = [pins[1].AddrOfPinnedObject()];
            long[] symbols = model.Compiled!.Bind([[1, 1, 8, 8]]);
            model.Compiled!.Run(symbols, inputs, outputs); // first call at this shape: the layout and the arena
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++)
            {
                model.Compiled!.Run(symbols, inputs, outputs);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - allocated);
        }
        finally
        {
            foreach (var pin in pins)
            {
                pin.Free();
            }
        }
    }

    /// <summary>
    /// The generator's form of digits_mlp's program (three Gemm calls over the arena, the weights and
    /// the caller's buffers), reading every value from the run's slots in the generator's order (per
    /// step: offset and length per operand, then the integers) so the test follows the compiler.
    /// </summary>
    private static void DigitsMlpSchedule(ReadOnlySpan<int> slots, KernelBuffers buffers)
    {
        Interlocked.Increment(ref calls);
        IReadOnlyList<ProgramStep> steps = Program.Value.Steps;
        int next = 0;
        for (int s = 0; s < steps.Count; s++)
        {
            ProgramStep step = steps[s];
            if (step.Kind != StepKind.Gemm)
            {
                throw new InvalidOperationException($"digits_mlp compiled to a {step.Kind} step; this schedule writes Gemm calls only.");
            }

            ReadOnlySpan<int> mine = slots.Slice(next, ProgramLayout.SlotCount(step));
            next += mine.Length;
            ReadOnlySpan<int> a = mine.Slice(2 * step.Operands.Count);
            Kernels.Gemm(Read(step.Operands[0], mine.Slice(0, 2), buffers), Read(step.Operands[1], mine.Slice(2, 2), buffers), Read(step.Operands[2], mine.Slice(4, 2), buffers),
                Write(step.Operands[3], mine.Slice(6, 2), buffers), a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], step.Floats[0], step.Floats[1], step.Floats[2]);
        }
    }

    private static readonly Lazy<KernelProgram> Program = new(() => KernelProgram.Read(ProgramBytes.Value));

    private static ReadOnlySpan<float> Read(Operand operand, ReadOnlySpan<int> slot, KernelBuffers buffers) =>
        operand.Region == BufferRegion.Weights ? KernelBuffers.F32(buffers.Weights, slot[0], slot[1]) : Write(operand, slot, buffers);

    private static Span<float> Write(Operand operand, ReadOnlySpan<int> slot, KernelBuffers buffers) => operand.Region switch
    {
        BufferRegion.Arena => KernelBuffers.F32(buffers.Arena, slot[0], slot[1]),
        BufferRegion.Input => KernelBuffers.F32(buffers.Input(operand.Index), slot[0], slot[1]),
        _ => KernelBuffers.F32(buffers.Output(operand.Index), slot[0], slot[1]),
    };

    private static Mlp Model(GeneratedSchedule? schedule)
    {
        var resources = new Dictionary<string, byte[]>
        {
            ["Tests.digits_mlp.onnx"] = File.ReadAllBytes(SharedData.PathOf("models/digits_mlp.onnx")),
            ["Tests.digits_mlp.kernels"] = ProgramBytes.Value,
        };
        var metadata = new ModelMetadata(
            "Tests.Mlp",
            "Tests.digits_mlp.onnx",
            [new TensorMetadata("input", "float32", [TensorDimension.Symbolic("batch"), TensorDimension.Fixed(1), TensorDimension.Fixed(8), TensorDimension.Fixed(8)])],
            [new TensorMetadata("logits", "float32", [TensorDimension.Symbolic("batch"), TensorDimension.Fixed(10)])])
        {
            CompiledSchedule = schedule,
        };
        return new Mlp(metadata, new ResourcesAssembly(resources));
    }

    private sealed class ResourcesAssembly(Dictionary<string, byte[]> resources) : Assembly
    {
        public override Stream? GetManifestResourceStream(string name) => resources.TryGetValue(name, out var bytes) ? new MemoryStream(bytes, writable: false) : null;

        public override string[] GetManifestResourceNames() => resources.Keys.ToArray();

        public override AssemblyName GetName() => new("ScheduledModels");
    }

    private sealed class Mlp(ModelMetadata metadata, Assembly assembly) : OnnxModelBase(metadata, assembly, new ModelOptions { Path = ExecutionPathKind.Compiled, AllowFallback = false })
    {
        public ModelTensor<float> Run(ModelTensor<float> input)
        {
            using ModelRun run = BeginRun();
            run.BindInput(0, input);
            run.Execute();
            return run.GetOutput<float>(0);
        }
    }
}
