using Optimizer.Engine.Benchmarking;
using Optimizer.Engine.Tests.Benchmarking;

namespace Optimizer.Engine.Tests.Compilation;

/// <summary>
/// Auto's decision from the two paths' medians (ONNX Runtime is model 0, the compiled program model 1):
/// the compiled kernels run first only at ≤ 0.90× ONNX Runtime overall and ≤ 1.02× at every shape.
/// The real builds' timing decides the same way (<see cref="AutoPathTimingTests"/>); which side of the
/// margin a real model lands on depends on the machine, so the rule itself is pinned here.
/// </summary>
public class AutoPathDecisionTests
{
    [Theory]
    [InlineData(0.38, true)]   // digits_mlp
    [InlineData(0.90, true)]   // at the margin
    [InlineData(0.91, false)]  // a near tie keeps ONNX Runtime
    [InlineData(1.00, false)]
    [InlineData(3.10, false)]  // the wake-word embedding before its conv kernels
    public void The_compiled_kernels_run_first_only_clearly_faster(double ratio, bool compiledFirst)
    {
        Assert.Equal(compiledFirst, AutoPathTiming.CompiledRunsFirst(TimingSamples.Medians([1.0, ratio]), 1));
    }

    [Fact]
    public void Slower_at_one_shape_keeps_onnx_runtime_first_whatever_the_mean()
    {
        // 0.4× and 1.1×: 0.66× overall, but slower than ONNX Runtime at the second shape.
        var timing = TimingSamples.Medians([1, 0.4], [1, 1.1]);

        Assert.True(timing.Ratio(1) < AutoPathTiming.CompiledRatio);
        Assert.False(AutoPathTiming.CompiledRunsFirst(timing, 1));
    }

    [Fact]
    public void The_column_compared_is_the_variant_this_machine_runs()
    {
        // ONNX Runtime, then int8 (1.2×) and fp32 (0.5×): fp32 is the program timed against it.
        var timing = TimingSamples.Medians([1.0, 1.2, 0.5]);

        Assert.False(AutoPathTiming.CompiledRunsFirst(timing, 1));
        Assert.True(AutoPathTiming.CompiledRunsFirst(timing, 2));
    }
}
