using Optimizer.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Optimizer.Training.FineTuning;

/// <summary>
/// The sentence embedding users compare: an encoder output mean-pooled over the tokens its
/// attention mask marks (rank 3, [batch, tokens, hidden]); an output that is already one vector
/// per sample is used as it is. Distillation matches these pooled vectors, not every token's state:
/// what the app compares is what the student has to keep.
/// </summary>
internal static class PooledEmbedding
{
    /// <summary>[batch, hidden]: the masked mean over tokens (or the plain mean without a mask), or the output flattened per sample.</summary>
    public static Tensor Pool(Tensor output, Tensor? mask)
    {
        if (output.dim() != 3) return output.reshape(output.shape[0], -1);
        if (mask is null) return output.mean([1]);
        var weights = mask.unsqueeze(2);
        return (output * weights).sum(1) / weights.sum(1).clamp_min(1e-9);
    }

    /// <summary>
    /// The loss on pooled embeddings: 1 − cosine (mean over the batch) and/or the mean squared error
    /// divided by the teacher's mean square, so both terms are scale-free and comparable.
    /// </summary>
    public static Tensor Loss(Tensor student, Tensor teacher, DistillationLoss kind)
    {
        var cosine = kind is DistillationLoss.Cosine or DistillationLoss.CosineMse ? 1 - F.cosine_similarity(student, teacher, 1).mean() : null;
        var mse = kind is DistillationLoss.Mse or DistillationLoss.CosineMse ? (student - teacher).pow(2).mean() / teacher.pow(2).mean().clamp_min(1e-12) : null;
        return cosine is null ? mse! : mse is null ? cosine : cosine + mse;
    }

    /// <summary>Each sample's cosine similarity between the two embeddings.</summary>
    public static Tensor Cosines(Tensor student, Tensor teacher) => F.cosine_similarity(student, teacher, 1);
}
