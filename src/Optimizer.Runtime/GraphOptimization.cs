namespace Optimizer.Runtime;

/// <summary>How much ONNX Runtime rewrites the graph when it loads the model. See <see cref="ModelOptions.GraphOptimization"/>.</summary>
public enum GraphOptimization
{
    /// <summary>No rewriting; run the optimized model exactly as built.</summary>
    Disabled,

    /// <summary>Constant folding and redundant-node removal.</summary>
    Basic,

    /// <summary>Basic plus node fusions.</summary>
    Extended,

    /// <summary>Everything, including layout changes (ONNX Runtime's default).</summary>
    All,
}
