import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connect } from './api/bridge';
import { App } from './app/App';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App connection={connect()} />
    </StrictMode>,
  );
}
