"""Seed: "Overfitting NN - practice" — L1, L2 and elastic-net models with Dropout and early
stopping on a mock ads dataset, with ``tensorflow`` → ``ember``.

Run: ``python examples/seeds_keras_regularization.py``
"""
import numpy as np
from ember.keras.models import Sequential
from ember.keras.layers import Dense, Dropout
from ember.keras.optimizers import Adam
from ember.keras.regularizers import l1, l2, l1_l2
from ember.keras.callbacks import EarlyStopping
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

# Mock Ads Dataset
# Features: user demographics, browsing history, etc.
# Target: click or no-click
np.random.seed(42)
X = np.random.rand(1000, 10) # 1000 samples, 10 features
y = np.random.randint(0, 2, 1000) # Binary classification: 0 or 1

# Split data
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=42)

# Standardize the features
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_val = scaler.transform(X_val)

# Define the model
def build_model(regularizer=None, dropout_rate=0.5):
    model = Sequential()
    model.add(Dense(64, activation='relu', input_dim=X_train.shape[1],
kernel_regularizer=regularizer))
    model.add(Dropout(dropout_rate)) # Dropout layer
    model.add(Dense(32, activation='relu', kernel_regularizer=regularizer))
    model.add(Dropout(dropout_rate)) # Dropout layer
    model.add(Dense(1, activation='sigmoid'))
    return model

# Compile the model with different regularization techniques
models = {
    "L1 Regularization": build_model(regularizer=l1(0.01)),
    "L2 Regularization": build_model(regularizer=l2(0.01)),
    "Elastic Net Regularization": build_model(regularizer=l1_l2(l1=0.01, l2=0.01)),
}

# Early Stopping
early_stopping = EarlyStopping(monitor='val_loss', patience=5, restore_best_weights=True)

# Training each model
histories = {}
for name, model in models.items():
    print(f"\nTraining model with {name}...\n")
    model.compile(optimizer=Adam(learning_rate=0.001), loss='binary_crossentropy',
metrics=['accuracy'])
    histories[name] = model.fit(
        X_train,
        y_train,
        epochs=50,
        batch_size=32,
        validation_data=(X_val, y_val),
        callbacks=[early_stopping],
        verbose=1
    )

# Evaluate the models
for name, model in models.items():
    val_loss, val_acc = model.evaluate(X_val, y_val, verbose=0)
    print(f"{name} - Validation Loss: {val_loss:.4f}, Validation Accuracy: {val_acc:.4f}")
