using System.Diagnostics;
using System.Runtime.InteropServices;
using Optimizer.Engine.Supervision;
using Optimizer.Onnx;
using Optimizer.Passes.Data;
using Optimizer.Runtime;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// A compiled kernel program ready to be timed at the given feeds, read from its bytes when opened
/// (so its weights count in the row's peak memory, as ONNX Runtime's do): each feed's inputs copied once
/// into pinned buffers and its outputs preallocated, so a timed run is only
/// <see cref="KernelExecutor.Run(ReadOnlySpan{long}, ReadOnlySpan{nint}, ReadOnlySpan{nint})"/>, as in
/// an app's generated class. Runs single-threaded (<see cref="KernelDispatch.MaxThreads"/> 1 for each
/// run), so its figures compare with ONNX Runtime's at one intra-op thread.
/// </summary>
internal sealed class TimedProgram : ITimedRunner
{
    /// <summary>The data's element type for each of the program's (the same ONNX types, named by the compiler).</summary>
    private static readonly Dictionary<KernelElementType, TensorElementType> DataTypes = new()
    {
        [KernelElementType.Float32] = TensorElementType.Float,
        [KernelElementType.UInt8] = TensorElementType.UInt8,
        [KernelElementType.Int8] = TensorElementType.Int8,
        [KernelElementType.Int32] = TensorElementType.Int32,
        [KernelElementType.Int64] = TensorElementType.Int64,
        [KernelElementType.Bool] = TensorElementType.Bool,
    };

    private readonly KernelProgram _program;
    private readonly KernelExecutor _executor;
    private readonly List<(long[] Symbols, nint[] Inputs, nint[] Outputs)> _feeds = [];

    // Keeps the pinned (pinned-object-heap) buffers alive; their addresses are in _feeds.
    private readonly List<byte[]> _buffers = [];
    private int _preparedShape = -1;

    /// <param name="program">The program, owned (disposed) by this runner.</param>
    /// <exception cref="BenchmarkException">A feed does not fit the program (<see cref="Refusal"/>).</exception>
    public TimedProgram(string label, KernelProgram program, IReadOnlyList<Feed> feeds)
    {
        Label = label;
        _program = program;
        EngineStage.Enter($"timing the {label} model's compiled kernels");
        if (Refusal(program, feeds) is { } refusal)
        {
            program.Dispose();
            throw new BenchmarkException($"{label} cannot run {refusal}");
        }

        _executor = new KernelExecutor(program);
        foreach (var feed in feeds)
        {
            var symbols = Symbols(program, feed);
            var inputs = program.Inputs.Select(input => Pinned(feed.Inputs[input.Name].Bytes)).ToArray();
            var outputs = program.Outputs.Select(output => Pinned(new byte[output.ElementCount(symbols) * DataTensor.ItemSize(DataTypes[output.ElementType])])).ToArray();
            _feeds.Add((symbols, inputs, outputs));
        }
    }

    public string Label { get; }

    /// <summary>
    /// Why <paramref name="program"/> cannot run at <paramref name="feeds"/>, e.g. <c>input_ids [1,600]: …</c>
    /// (a missing input, another element type, a shape its kernels were not built for); null when it can.
    /// </summary>
    public static string? Refusal(KernelProgram program, IReadOnlyList<Feed> feeds)
    {
        foreach (var feed in feeds)
        {
            foreach (var input in program.Inputs)
            {
                if (!feed.Inputs.TryGetValue(input.Name, out var data))
                    return $"the timing data has no value for input '{input.Name}'";
                if (!DataTypes.TryGetValue(input.ElementType, out var type) || type != data.ElementType)
                    return $"input '{input.Name}': the data is {data.ElementType}, the compiled kernels take {input.ElementType}";
            }

            try
            {
                ProgramLayout.For(program, Symbols(program, feed));
            }
            catch (ArgumentException e)
            {
                return $"{string.Join(" ", feed.Inputs.Select(i => i.Key + " " + i.Value.ShapeText))}: {e.Message}";
            }
        }

        return null;
    }

    public void WarmUp(int shape, int runs)
    {
        for (var i = 0; i < runs; i++)
            RunOnce(shape);
        _preparedShape = shape;
    }

    public double TimedRun(int shape)
    {
        // The executor keeps one shape's layout: the run that switches shape lays it out again, untimed,
        // as ONNX Runtime's preallocated outputs keep its switch out of the timed runs.
        if (shape != _preparedShape)
            WarmUp(shape, 1);
        var start = Stopwatch.GetTimestamp();
        RunOnce(shape);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>One run on this thread only (the setting is process-wide, so it is restored after the run).</summary>
    private void RunOnce(int shape)
    {
        var threads = KernelDispatch.MaxThreads;
        KernelDispatch.MaxThreads = 1;
        try
        {
            var (symbols, inputs, outputs) = _feeds[shape];
            _executor.Run(symbols, inputs, outputs);
        }
        finally
        {
            KernelDispatch.MaxThreads = threads;
        }
    }

    /// <summary>
    /// The <see cref="Stopwatch"/> ticks each step took, summed over runs at feed <paramref name="shape"/>
    /// (after one untimed run) until <paramref name="budget"/> has passed, at least <paramref name="minRuns"/>
    /// and at most <paramref name="maxRuns"/> of them; <paramref name="runs"/> says how many.
    /// </summary>
    public long[] StepTicks(int shape, TimeSpan budget, int minRuns, int maxRuns, out int runs)
    {
        WarmUp(shape, 1);
        var ticks = new long[_program.Steps.Count];
        var threads = KernelDispatch.MaxThreads;
        KernelDispatch.MaxThreads = 1;
        try
        {
            var (symbols, inputs, outputs) = _feeds[shape];
            var start = Stopwatch.GetTimestamp();
            for (runs = 0; runs < maxRuns && (runs < minRuns || Stopwatch.GetElapsedTime(start) < budget); runs++)
                _executor.Run(symbols, inputs, outputs, ticks);
        }
        finally
        {
            KernelDispatch.MaxThreads = threads;
        }

        return ticks;
    }

    /// <summary>The program this runner times.</summary>
    public KernelProgram Program => _program;

    private static long[] Symbols(KernelProgram program, Feed feed) =>
        ProgramLayout.Bind(program, program.Inputs.Select(input => feed.Inputs[input.Name].Shape.Select(d => checked((int)d)).ToArray()).ToArray());

    private nint Pinned(byte[] bytes)
    {
        var pinned = GC.AllocateUninitializedArray<byte>(Math.Max(1, bytes.Length), pinned: true);
        bytes.CopyTo(pinned, 0);
        _buffers.Add(pinned);
        return Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0);
    }

    public void Dispose()
    {
        _executor.Dispose();
        _program.Dispose();
    }
}
