namespace Optimizer.Runtime;

/// <summary>The optimizer <see cref="FineTuneAttribute"/> trains with.</summary>
public enum TrainingOptimizer
{
    /// <summary>Adam.</summary>
    Adam,

    /// <summary>Stochastic gradient descent with momentum.</summary>
    Sgd,
}
