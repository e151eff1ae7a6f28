namespace Optimizer.Runtime;

/// <summary>What <see cref="DistillAttribute"/> makes the student match of the teacher's output.</summary>
#if OPTIMIZER_SCHEMA_COPY
internal
#else
public
#endif
enum DistillationLoss
{
    /// <summary>
    /// <see cref="Kl"/> for a classifier (one float input, logits out); <see cref="CosineMse"/> for an
    /// encoder (several or integer inputs, or a rank-3 output such as <c>last_hidden_state</c>).
    /// </summary>
    Auto,

    /// <summary>KL divergence between the softened class distributions (with the label loss when Labels is set).</summary>
    Kl,

    /// <summary>1 − cosine similarity of the attention-mask mean-pooled embeddings.</summary>
    Cosine,

    /// <summary>Mean squared error of the pooled embeddings, relative to the teacher's mean square.</summary>
    Mse,

    /// <summary>The sum of <see cref="Cosine"/> and <see cref="Mse"/>: the direction users compare, and the scale kept.</summary>
    CosineMse,
}
