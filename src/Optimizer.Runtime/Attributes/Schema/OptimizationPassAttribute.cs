namespace Optimizer.Runtime;

/// <summary>
/// Marks a pass attribute as the schema of its pass: the build task, the engine, the <c>onnx-opt</c>
/// CLI and the docs read the pass's name (the class name without <c>Attribute</c>), stage and
/// options (the properties marked <see cref="PassOptionAttribute"/>) from here, so a pass or an
/// option is declared once. Internal: it describes the public attributes, it is not one.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
internal sealed class OptimizationPassAttribute : Attribute
{
    /// <param name="stage">Where the pass runs.</param>
    /// <param name="summary">One line for help text and docs.</param>
    public OptimizationPassAttribute(PipelineStage stage, string summary)
    {
        Stage = stage;
        Summary = summary;
    }

    public PipelineStage Stage { get; }

    public string Summary { get; }

    /// <summary>
    /// The option (a property name) whose <c>&lt;OnnxModel&gt;</c> item metadata requests the pass:
    /// an item asks for the pass only when it sets that metadata (or, after <c>|</c>, another one:
    /// <c>MaxDrop|MinCosine</c>). Null: items cannot request it.
    /// </summary>
    public string? ItemKey { get; set; }

    /// <summary>
    /// Prefix of the pass's item metadata names, where the plain names belong to another pass
    /// (FineTune's Labels vs AccuracyBudget's Labels → <c>FineTuneLabels</c>).
    /// </summary>
    public string ItemPrefix { get; set; } = "";

    /// <summary>The package that brings the pass's implementation, when it is not the engine itself.</summary>
    public string? Package { get; set; }
}
