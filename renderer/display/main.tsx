// Entry of the customer display page (display.html): its own small bundle — none of the cashier's screens.
import { StrictMode, useEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import type { CustomerDisplayView } from '../../main/contract/display';
import { connectDisplay, type DisplayLink } from './connection';
import { CustomerDisplay } from './CustomerDisplay';
import './display.css';

function DisplayApp(): ReactNode {
  const [view, setView] = useState<CustomerDisplayView | null>(null);
  const [link, setLink] = useState<DisplayLink>('connecting');
  useEffect(() => connectDisplay(setView, setLink), []);
  return <CustomerDisplay view={view} link={link} />;
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <DisplayApp />
    </StrictMode>,
  );
}
