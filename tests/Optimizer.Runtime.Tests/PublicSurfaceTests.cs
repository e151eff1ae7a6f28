using System.ComponentModel;
using System.Reflection;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// What an app sees of the runtime in IntelliSense: the types users write, while the types only
/// generated code (or the engine and compiler) needs carry <c>[EditorBrowsable(Never)]</c>.
/// </summary>
public class PublicSurfaceTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Public and shown: what users declare, construct, read or call.</summary>
    private static readonly string[] UserTypes =
    [
        "AccuracyBudgetAttribute", "ActivationScales", "CalibrationMethod", "ClassificationExtensions", "DistillAttribute", "DistillationLoss",
        "ExecutionPath", "ExecutionPathKind", "ExecutionTarget", "FineTuneAttribute", "GraphOptimization", "ModelMetadata",
        "ModelOptions", "ModelTensorConversions", "ModelTensor`1", "OnnxModelAttribute", "OnnxModelBase", "OptimizerTelemetry", "Prediction",
        "PruneAttribute", "PruneNorm", "PruneRanking", "PruneScope", "PruneStructure", "QuantizationFormat", "QuantizationMode",
        "QuantizeAttribute", "QuantizedActivationType", "SymbolicDimsAttribute", "TensorDimension", "TensorExtensions",
        "TensorMetadata", "TensorShapeException", "TrainingOptimizer", "ValueRange", "WeightGranularity",
    ];

    /// <summary>Public because generated code calls them, hidden from IntelliSense.</summary>
    private static readonly string[] GeneratedCodeTypes = ["AutoPathChoice", "CompiledVariant", "ModelRun", "TensorShapeGuard", "VariantChoice"];

    /// <summary>
    /// Kernel internals (Compiled/, Kernels/, GeneratedSchedule, KernelBuffers, ScheduleSlots): public for the compiler,
    /// the engine and generated schedules, hidden from IntelliSense like the generated-code types.
    /// </summary>
    private static readonly string[] KernelTypes =
    [
        "ArenaStorage", "BufferRegion", "GeneratedSchedule", "KernelBuffers", "KernelDispatch", "KernelElementType", "KernelExecutor",
        "KernelIsa", "KernelPath", "KernelProgram", "KernelScheduleMethod", "Kernels", "Operand", "ProgramLayout", "ProgramStep", "ProgramTensor",
        "ProgramWeights", "ScheduleSlots", "ShapeGuard", "SizeExpression", "SizeOp", "SizeOpKind", "StepKind", "WeightReference", "WeightTransform",
    ];

    [Fact]
    public void Only_user_types_are_shown_and_generated_code_types_are_hidden()
    {
        Type[] exported = typeof(OnnxModelBase).Assembly.GetExportedTypes().Where(t => !t.IsNested).ToArray();
        string[] shown = exported.Where(t => !IsHidden(t)).Select(t => t.Name).Order(StringComparer.Ordinal).ToArray();
        output.WriteLine($"{exported.Length} public types; shown: {string.Join(", ", shown)}");
        output.WriteLine($"hidden: {string.Join(", ", exported.Where(IsHidden).Select(t => t.Name).Order(StringComparer.Ordinal))}");

        Assert.All(GeneratedCodeTypes.Concat(KernelTypes), name => Assert.True(IsHidden(exported.Single(t => t.Name == name)), $"{name} should be hidden"));
        Assert.Equal(UserTypes.Order(StringComparer.Ordinal), shown);
        Assert.Empty(exported.Select(t => t.Name).Except(UserTypes).Except(GeneratedCodeTypes).Except(KernelTypes));
    }

    [Fact]
    public void Members_only_generated_code_uses_are_hidden()
    {
        Assert.All(
            typeof(OnnxModelBase).GetMethods(BindingFlags.Instance | BindingFlags.NonPublic).Where(m => m.Name == "BeginRun"),
            method => Assert.True(IsHidden(method)));
        Assert.True(IsHidden(typeof(ModelMetadata).GetConstructors().Single()));
        Assert.All(
            new[] { "ProgramResourceName", "CompiledSchedule", "CompiledVariants", "AutoPath", "VariantChoice" },
            name => Assert.True(IsHidden(typeof(ModelMetadata).GetProperty(name)!)));
    }

    private static bool IsHidden(MemberInfo member) =>
        member.GetCustomAttribute<EditorBrowsableAttribute>()?.State == EditorBrowsableState.Never;
}
