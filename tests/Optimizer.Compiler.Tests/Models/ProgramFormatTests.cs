using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>The stored program: deterministic bytes, lossless round trip, zero-copy weights, no allocation per call.</summary>
public sealed class ProgramFormatTests
{
    [ConditionalFact("data")]
    public void The_same_model_compiles_to_the_same_bytes_and_reads_back_to_the_same_schedule()
    {
        using var first = KernelCompiler.Compile(SharedModels.Load("digits_cnn.onnx")).Program!;
        using var second = KernelCompiler.Compile(SharedModels.Load("digits_cnn.onnx")).Program!;
        var bytes = first.ToBytes();
        Assert.Equal(bytes, second.ToBytes());
        using var read = KernelProgram.Read(bytes);
        Assert.Equal(first.ToText(), read.ToText());
        Assert.Equal(bytes, read.ToBytes());
    }

    [ConditionalFact("data")]
    public unsafe void A_program_in_unmanaged_memory_is_read_in_place_and_runs_the_same()
    {
        using var program = KernelCompiler.Compile(SharedModels.Load("digits_mlp.onnx")).Program!;
        var bytes = program.ToBytes();
        var memory = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)bytes.Length, 64);
        try
        {
            bytes.CopyTo(new Span<byte>(memory, bytes.Length));
            using var stream = new UnmanagedMemoryStream(memory, bytes.Length);
            using var loaded = KernelProgram.Load(stream);
            Assert.True(loaded.WeightsAreZeroCopy);
            var images = SharedModels.DigitsImages(5);
            var input = OnnxTensor.FromFloats("input", [5, 1, 8, 8], images);
            Assert.Equal(ProgramRunner.Run(program, [input])[0], ProgramRunner.Run(loaded, [input])[0]);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(memory);
        }
    }

    [Fact]
    public void A_program_from_another_format_is_refused_with_a_reason()
    {
        var error = Assert.Throws<InvalidDataException>(() => KernelProgram.Read("not a program"u8.ToArray()));
        Assert.Contains("OPTK", error.Message);
    }

    [ConditionalTheory("data")]
    [InlineData("digits_mlp.onnx", 1)]
    [InlineData("digits_mlp.onnx", 64)]
    [InlineData("digits_cnn.onnx", 1)]
    public unsafe void Calls_at_a_stable_batch_size_allocate_nothing(string file, int batch)
    {
        using var program = KernelCompiler.Compile(SharedModels.Load(file)).Program!;
        using var executor = new KernelExecutor(program);
        var input = new float[batch * 64];
        var output = new float[batch * 10];
        var symbols = ProgramRunner.BatchSymbols(program, batch);
        Assert.Equal(0, SteadyStateAllocation.PerCall(() =>
        {
            fixed (float* pi = input, po = output)
            {
                Span<nint> inputs = [(nint)pi];
                Span<nint> outputs = [(nint)po];
                executor.Run(symbols, inputs, outputs);
            }
        }));
    }

    [ConditionalFact("data")]
    public unsafe void A_profiled_run_gives_the_same_outputs_and_times_every_step_that_ran()
    {
        using var program = KernelCompiler.Compile(SharedModels.Load("digits_cnn.onnx")).Program!;
        using var executor = new KernelExecutor(program);
        const int batch = 3;
        var input = SharedModels.DigitsImages(batch);
        var (plain, profiled) = (new float[batch * 10], new float[batch * 10]);
        var ticks = new long[program.Steps.Count];
        var symbols = ProgramRunner.BatchSymbols(program, batch);
        fixed (float* pi = input, pa = plain, pb = profiled)
        {
            executor.Run(symbols, [(nint)pi], [(nint)pa]);
            executor.Run(symbols, [(nint)pi], [(nint)pb], ticks);
            executor.Run(symbols, [(nint)pi], [(nint)pb], ticks);
            var (inputAddress, outputAddress) = ((nint)pi, (nint)pb);
            Assert.Throws<ArgumentException>(() => executor.Run(symbols, [inputAddress], [outputAddress], new long[program.Steps.Count - 1]));
        }

        Assert.Equal(plain, profiled);
        // digits_cnn has no control steps: each step ran twice and took some time.
        Assert.All(ticks, t => Assert.True(t > 0));
    }

    [ConditionalFact("onnx-conformance/node")]
    public void An_unsupported_model_names_each_node_and_why()
    {
        var root = RepositoryLayout.RequiredShared("onnx-conformance/node");
        // (ConvTranspose served here until issue 14 added it to the kernel set.)
        var model = OnnxModelLoader.Load(Path.Combine(root, "test_det_2d", "model.onnx"));
        var result = KernelCompiler.Compile(model);
        Assert.Null(result.Program);
        var reason = Assert.Single(result.Unsupported);
        Assert.Equal("Det", reason.OpType);
        Assert.Contains("not in the kernel set", reason.Reason);
    }
}
